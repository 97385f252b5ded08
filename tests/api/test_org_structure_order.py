"""Surface C: organizations, departments and positions are listed by name (the original's
`orderBy('name')`), the id breaking ties, at a bounded DynamoDB cost per request."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gatehouse.clock import iso, now
from gatehouse.data import org, writes
from gatehouse.data.org import OrganizationItem
from gatehouse_local.testing import ApiClient, CallCounter, bearer
from tests.api.test_org_structure import new_dept, new_member, new_org, new_position, sign_up

pytestmark = pytest.mark.heavy

# Created in this order (ids ascending); listed by case-folded name, then id.
NAMES = ["Beta", "alpha", "IT 2", "Alpha", "IT", "Банк", "apple"]
BY_NAME = ["alpha", "Alpha", "apple", "Beta", "IT", "IT 2", "Банк"]
SEEDED_POSITIONS = ["administrator", "clerk", "doctor", "supplier", "teacher"]  # A's 1000-1004, by name


@pytest.fixture
def root(api: ApiClient) -> dict[str, str]:
    return bearer(sign_up(api, 0))


def names(api: ApiClient, path: str, headers: dict[str, str], **query: Any) -> list[str]:
    response = api.get(path, query={"per_page": 100, **query}, headers=headers)
    assert response.status == 200, response.body
    key = path.rsplit("/", 1)[-1]
    return [entry["name"] for entry in response.json["data"][key]]


def test_organizations_are_listed_by_name_then_id_across_pages(api: ApiClient, root: dict[str, str]) -> None:
    for name in NAMES:
        new_org(api, root, name)
    assert names(api, "/api/organizations", root) == BY_NAME
    pages = [
        api.get("/api/organizations", query={"per_page": 3, "page": page}, headers=root).json["data"]
        for page in (1, 2, 3)
    ]
    assert [[o["name"] for o in page["organizations"]] for page in pages] == [
        BY_NAME[:3],
        BY_NAME[3:6],
        BY_NAME[6:],
    ]
    assert [page["pagination"]["total"] for page in pages] == [7, 7, 7]
    assert [o["name"] for o in pages[0]["organizations"]][:2] == [
        "alpha",
        "Alpha",
    ]  # a tie: the lower id first
    found = api.get("/api/organizations", query={"search": "A"}, headers=root).json["data"]
    assert [o["name"] for o in found["organizations"]] == ["alpha", "Alpha", "apple", "Beta"]
    assert found["pagination"]["total"] == 4


def test_departments_are_listed_by_name_overall_and_per_organization(
    api: ApiClient, root: dict[str, str]
) -> None:
    first, second = new_org(api, root, "First"), new_org(api, root, "Second")
    for n, name in enumerate(NAMES):
        new_dept(api, root, first if n % 2 == 0 else second, name)
    assert names(api, "/api/departments", root) == BY_NAME
    assert names(api, "/api/departments", root, organization_id=first) == ["apple", "Beta", "IT", "IT 2"]
    assert names(api, "/api/departments", root, organization_id=second) == ["alpha", "Alpha", "Банк"]
    detail = api.get(f"/api/organizations/{first}", headers=root).json["data"]["organization"]
    assert [d["name"] for d in detail["departments"]] == ["apple", "Beta", "IT", "IT 2"]


def test_positions_are_listed_by_name_for_c_and_by_id_for_a(api: ApiClient, root: dict[str, str]) -> None:
    org_id = new_org(api, root)
    dept, other = new_dept(api, root, org_id, "IT"), new_dept(api, root, org_id, "HR")
    for n, name in enumerate(NAMES):
        new_position(api, root, dept if n < 4 else other, name)
    assert names(api, "/api/positions", root, department_id=dept) == ["alpha", "Alpha", "Beta", "IT 2"]
    assert names(api, "/api/positions", root) == sorted(
        BY_NAME + SEEDED_POSITIONS,
        key=lambda name: (name.casefold(), (BY_NAME + SEEDED_POSITIONS).index(name)),
    )
    member = new_member(api, root, 1, org_id)  # not global: their organization's positions
    assert names(api, "/api/positions", member) == BY_NAME
    a_list = api.get("/api/v1/position", headers=root).json
    assert [p["_id"] for p in a_list] == sorted(p["_id"] for p in a_list)


def test_renames_and_moves_keep_every_list_in_name_order(api: ApiClient, root: dict[str, str]) -> None:
    ids = {name: new_org(api, root, name) for name in NAMES}
    assert api.put(f"/api/organizations/{ids['apple']}", json={"name": "zebra"}, headers=root).status == 200
    assert names(api, "/api/organizations", root) == ["alpha", "Alpha", "Beta", "IT", "IT 2", "zebra", "Банк"]

    first, second = ids["alpha"], ids["Beta"]
    dept_a, dept_b = new_dept(api, root, first, "Sales"), new_dept(api, root, first, "Accounting")
    new_dept(api, root, second, "Marketing")
    assert api.put(f"/api/departments/{dept_a}", json={"name": "Account"}, headers=root).status == 200
    assert names(api, "/api/departments", root, organization_id=first) == ["Account", "Accounting"]
    moved = api.put(f"/api/departments/{dept_b}", json={"organization_id": second}, headers=root)
    assert moved.status == 200
    assert names(api, "/api/departments", root, organization_id=second) == ["Accounting", "Marketing"]
    assert names(api, "/api/departments", root) == ["Account", "Accounting", "Marketing"]

    position = new_position(api, root, dept_a, "Zoologist")
    new_position(api, root, dept_b, "Buyer")
    changed = api.put(
        f"/api/positions/{position}", json={"name": "Analyst", "department_id": dept_b}, headers=root
    )
    assert changed.status == 200
    assert names(api, "/api/positions", root, department_id=dept_b) == ["Analyst", "Buyer"]
    assert names(api, "/api/positions", root, department_id=dept_a) == []
    assert names(api, "/api/positions", root)[0] == "administrator"  # A's seeded rows are listed too
    assert "Analyst" in names(api, "/api/positions", root)


@pytest.mark.usefixtures("unthrottled")
def test_concurrent_renames_and_moves_leave_the_lists_in_name_order(
    api: ApiClient, root: dict[str, str]
) -> None:
    first, second = new_org(api, root, "First"), new_org(api, root, "Second")
    dept, other = new_dept(api, root, first, "D1"), new_dept(api, root, first, "D2")
    org_ids = [new_org(api, root, f"Org {n}") for n in range(4)]
    dept_ids = [new_dept(api, root, first, f"Dept {n}") for n in range(4)]
    position_ids = [new_position(api, root, dept, f"Pos {n}") for n in range(4)]
    letters = "qwertyuiopasdfgh"

    def change(step: int) -> int:
        name = f"{letters[step % len(letters)]}{step}"
        n = step % 4
        if step % 3 == 0:
            return api.put(f"/api/organizations/{org_ids[n]}", json={"name": name}, headers=root).status
        if step % 3 == 1:
            body: dict[str, Any] = (
                {"name": name} if step % 2 else {"organization_id": (first, second)[step % 4 // 2]}
            )
            return api.put(f"/api/departments/{dept_ids[n]}", json=body, headers=root).status
        body = {"name": name} if step % 2 else {"department_id": (dept, other)[step % 4 // 2]}
        return api.put(f"/api/positions/{position_ids[n]}", json=body, headers=root).status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(change, range(48)))
    assert set(statuses) <= {200, 409}  # 409: a move that lost to a concurrent change, nothing written
    assert statuses.count(200) >= 24

    def shown(kind: str, item_id: int) -> dict[str, Any]:
        item: dict[str, Any] = api.get(f"/api/{kind}s/{item_id}", headers=root).json["data"][kind]
        return item

    def assert_listed_by_name(expected: list[str], path: str, **query: Any) -> None:
        """Each item once, under its current name, in its current partition, in name order."""
        assert names(api, path, root, **query) == sorted(expected, key=str.casefold)

    organizations = [shown("organization", i) for i in [first, second, *org_ids]]
    departments = [shown("department", i) for i in [dept, other, *dept_ids]]
    positions = [shown("position", i) for i in position_ids]
    assert_listed_by_name([o["name"] for o in organizations], "/api/organizations")
    assert_listed_by_name([d["name"] for d in departments], "/api/departments")
    for org_id in (first, second):
        members = [d["name"] for d in departments if d["organization_id"] == org_id]
        assert_listed_by_name(members, "/api/departments", organization_id=org_id)
    for dept_id in (dept, other):
        members = [p["name"] for p in positions if p["department_id"] == dept_id]
        assert_listed_by_name(members, "/api/positions", department_id=dept_id)


# ---- cost ----


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    with counting.installed():
        yield counting


def cost(
    api: ApiClient, counter: CallCounter, path: str, headers: dict[str, str], **query: Any
) -> dict[str, int]:
    counter.reset()
    response = api.get(path, query=query, headers=headers)
    assert response.status == 200, response.body
    return dict(counter.operations)


def add_organizations(count: int) -> None:
    """Batch-written through the data layer (with ids far above the counter's): the API would
    take minutes for a thousand."""
    stamp = iso(now())
    with OrganizationItem.batch_write() as batch:
        for n in range(count):
            batch.save(org.new_organization(100_000 + n, stamp, {"name": f"Bulk {n:05d}"}))
    writes.transact([org.count_change(org.ORGANIZATIONS_TOTAL, count)])


LIST_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("/api/organizations", {}),
    ("/api/organizations", {"page": 3, "per_page": 100}),
    ("/api/organizations", {"search": "bulk 0"}),
    ("/api/departments", {}),
    ("/api/departments", {"search": "x"}),
    ("/api/positions", {}),
    ("/api/positions", {"search": "x"}),
]


def test_a_list_request_costs_a_bounded_number_of_calls_whatever_the_table_size(
    api: ApiClient, root: dict[str, str], counter: CallCounter
) -> None:
    # A JWT: authentication is one BatchGetItem (a Sanctum token is two GetItems).
    jwt = api.post("/api/auth/login", json={"email": "u0@example.com", "password": "12345678"}).json
    headers = bearer(jwt["access_token"])
    org_id = new_org(api, root, "Home")
    dept = new_dept(api, root, org_id)
    new_position(api, root, dept)
    api.get("/api/roles", headers=headers)  # records the session's activity once, outside the measures
    requests = [*LIST_REQUESTS, ("/api/departments", {"organization_id": org_id})]
    requests.append(("/api/positions", {"department_id": dept}))
    small = [cost(api, counter, path, headers, **query) for path, query in requests]
    add_organizations(1010)
    large = [cost(api, counter, path, headers, **query) for path, query in requests]
    for (path, query), before, after in zip(requests, small, large, strict=True):
        for operations in (before, after):
            assert "Scan" not in operations
            assert operations.get("Query", 0) <= 4
            assert operations.get("BatchGetItem", 0) <= 2  # authentication + the page's related items
            # 1 auth + 1 total/filter item + 4 Query + 1 BatchGetItem (+ 1 seed marker on positions)
            assert sum(operations.values()) <= 7 + (path == "/api/positions"), (path, query, operations)
        if path != "/api/organizations" or query == {}:
            assert after == before, (path, query)  # a first page costs the same on a fuller table
    assert large[2]["Query"] == 4  # a search reads the first 1000 entries: 4 pages of 250, no more
    listed = api.get("/api/organizations", query={"page": 1, "per_page": 2}, headers=headers).json["data"]
    assert [o["name"] for o in listed["organizations"]] == ["Bulk 00000", "Bulk 00001"]
    assert listed["pagination"]["total"] == 1011


def test_names_whose_sort_key_would_pass_dynamodbs_limit_are_clipped_not_refused(
    api: ApiClient, root: dict[str, str]
) -> None:
    long_names = ["ΐ" * 255, "😀" * 255, "ΐ" * 254 + "a"]  # 1530, 1020 and 1525 bytes once case-folded
    for name in long_names:
        new_org(api, root, name)
    assert sorted(names(api, "/api/organizations", root)) == sorted(long_names)
    assert all(len(org.name_order(name, 10**11).encode()) <= 1024 for name in long_names)


def test_a_name_sorts_before_its_longer_variants() -> None:
    assert org.name_order("a", 2) < org.name_order("A b", 1) < org.name_order("ab", 1)
    assert org.name_order("IT", 9) < org.name_order("it", 10) < org.name_order("IT\t2", 1)
