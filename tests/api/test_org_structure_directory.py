"""Surface C's user list at any size: every page reachable, exact totals, word-prefix search,
at a bounded number of DynamoDB calls (docs/surface-c.md, "Paging and search")."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from gatehouse.data import apps, directory, users
from gatehouse.data.models import UserItem
from gatehouse_local import directory_seed
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.testing import ApiClient, CallCounter, bearer
from tests.api.test_org_structure import new_dept, new_member, new_org, new_position, sign_up

pytestmark = pytest.mark.heavy

SEEDED = 1_100  # more than the 1,000 entries the lists used to read


@pytest.fixture
def root(api: ApiClient) -> dict[str, str]:
    return bearer(sign_up(api, 0))


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    with counting.installed():
        yield counting


@pytest.fixture
def jwt(api: ApiClient, root: dict[str, str]) -> dict[str, str]:
    """The super with a JWT (authentication: one BatchGetItem), activity already recorded."""
    token = api.post("/api/auth/login", json={"email": "u0@example.com", "password": "12345678"}).json
    headers = bearer(token["access_token"])
    api.get("/api/roles", headers=headers)
    return headers


def listed(api: ApiClient, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    response = api.get("/api/users", query=query, headers=headers)
    assert response.status == 200, response.body
    data: dict[str, Any] = response.json["data"]
    return data


def ids(data: dict[str, Any]) -> list[int]:
    return [user["id"] for user in data["users"]]


READS = ("GetItem", "BatchGetItem", "Query", "Scan")


def costs(api: ApiClient, counter: CallCounter, headers: dict[str, str], **query: Any) -> dict[str, int]:
    """The reads one list request makes (authentication's occasional activity stamp aside)."""
    counter.reset()
    listed(api, headers, **query)
    return {name: count for name, count in counter.operations.items() if name in READS}


def test_every_page_of_a_large_directory_is_reachable_with_exact_totals_at_four_calls(
    api: ApiClient, jwt: dict[str, str], counter: CallCounter
) -> None:
    seeded = directory_seed.seed(SEEDED, organizations=2, tokens_only={"staff"})
    everyone = [1, *seeded.user_ids]  # the super, then the seeded members in id order
    last_page = math.ceil(len(everyone) / 15)
    for page in (1, 2, 67, last_page):
        data = listed(api, jwt, page=page, per_page=15)
        assert ids(data) == everyone[(page - 1) * 15 : page * 15]
        assert data["pagination"] == {
            "current_page": page,
            "last_page": last_page,
            "per_page": 15,
            "total": len(everyone),
        }
    assert listed(api, jwt, page=last_page + 1)["users"] == []
    first_org = seeded.organization_ids[0]
    members = seeded.user_ids[0::2]
    deep = listed(api, jwt, organization_id=first_org, page=37, per_page=15)
    assert ids(deep) == members[36 * 15 : 37 * 15]
    assert deep["pagination"]["total"] == len(members) == 550
    for query in ({}, {"page": last_page}, {"organization_id": first_org, "page": 30}, {"search": "staff"}):
        operations = costs(api, counter, jwt, **query)
        assert "Scan" not in operations
        assert operations.get("Query", 0) <= 1, (query, operations)
        assert sum(operations.values()) <= 4, (query, operations)  # with authentication


def test_a_department_filter_reaches_every_page_beyond_a_thousand_members_with_exact_totals(
    api: ApiClient, jwt: dict[str, str], counter: CallCounter
) -> None:
    seeded = directory_seed.seed(SEEDED, organizations=1, tokens_only=set(), departments=True)
    dept_id = seeded.department_ids[0]
    last_page = math.ceil(SEEDED / 15)
    for page in (1, 67, last_page):
        data = listed(api, jwt, department_id=dept_id, page=page, per_page=15)
        assert ids(data) == seeded.user_ids[(page - 1) * 15 : page * 15]
        assert data["pagination"]["total"] == SEEDED
        assert data["pagination"]["last_page"] == last_page
    org_id = seeded.organization_ids[0]
    assert (
        ids(listed(api, jwt, department_id=dept_id, organization_id=org_id, page=70))
        == seeded.user_ids[1035:1050]
    )
    assert listed(api, jwt, department_id=dept_id, organization_id=org_id + 1)["pagination"]["total"] == 0
    operations = costs(api, counter, jwt, department_id=dept_id, page=70)
    assert "Scan" not in operations
    assert operations.get("Query", 0) <= 1, operations
    assert sum(operations.values()) <= 4, operations  # with authentication


def test_department_and_position_filters_stay_exact_through_moves_and_deletes(
    api: ApiClient, root: dict[str, str]
) -> None:
    home = new_org(api, root, "Home")
    first, second = new_dept(api, root, home, "First"), new_dept(api, root, home, "Second")
    dev, ops = new_position(api, root, first, "Dev"), new_position(api, root, first, "Ops")
    for n in range(1, 4):
        new_member(api, root, n, home, department_id=first, position_id=dev)
    members = ids(listed(api, root, organization_id=home))
    assert ids(listed(api, root, department_id=first)) == members
    assert ids(listed(api, root, position_id=dev, department_id=first)) == members
    assert listed(api, root, position_id=dev, department_id=second)["pagination"]["total"] == 0
    moved = members[1]
    body = {"department_id": first, "position_id": ops}
    assert api.put(f"/api/users/{moved}", json=body, headers=root).status == 200
    assert ids(listed(api, root, position_id=dev)) == [members[0], members[2]]
    assert ids(listed(api, root, position_id=ops)) == [moved]
    assert api.put(f"/api/users/{moved}", json={"department_id": second}, headers=root).status == 200
    assert ids(listed(api, root, department_id=first)) == [members[0], members[2]]
    assert ids(listed(api, root, department_id=second)) == [moved]
    assert listed(api, root, position_id=ops)["pagination"]["total"] == 0
    assert api.delete(f"/api/users/{members[0]}", headers=root).status == 200
    data = listed(api, root, department_id=first, per_page=1, page=1)
    assert (ids(data), data["pagination"]["total"]) == ([members[2]], 1)


def test_search_totals_are_exact_beyond_a_thousand_matches_and_its_pages_follow_id_order(
    api: ApiClient, jwt: dict[str, str]
) -> None:
    seeded = directory_seed.seed(SEEDED, organizations=1, tokens_only={"staff", "s"})
    for term in ("staff", "S", "Staff"):
        data = listed(api, jwt, search=term, per_page=100)
        assert data["pagination"]["total"] == SEEDED
        assert ids(data) == seeded.user_ids[:100]
    assert ids(listed(api, jwt, search="staff", per_page=100, page=11)) == seeded.user_ids[1000:1100]
    scoped = listed(api, jwt, search="staff", organization_id=seeded.organization_ids[0])
    assert scoped["pagination"]["total"] == SEEDED


def test_search_matches_word_prefixes_of_the_name_and_the_email_folded(
    api: ApiClient, root: dict[str, str]
) -> None:
    home, other = new_org(api, root, "Home"), new_org(api, root, "Other")
    new_member(api, root, 1, home, name="Пётр Иванов")
    new_member(api, root, 2, home, name="Анна Смирнова")
    new_member(api, root, 3, other, name="Anna Ångström")

    def found(term: str, **query: Any) -> list[str]:
        data = listed(api, root, search=term, **query)
        assert data["pagination"]["total"] == len(data["users"])
        return [user["name"] for user in data["users"]]

    assert found("петр") == ["Пётр Иванов"]  # accents folded: ё is е
    assert found("ПЁТ") == ["Пётр Иванов"]
    assert found("ann") == ["Anna Ångström"]
    assert found("angst") == ["Anna Ångström"]
    assert found("анна смир") == ["Анна Смирнова"]  # every word a prefix of some word
    assert found("смирнова") == ["Анна Смирнова"]  # longer than a token: filtered on the words
    assert found("M2@COMP") == ["Анна Смирнова"]  # the email from its start
    assert found("нна") == []  # not a word's prefix: not a match
    assert found("company.kz") == []  # the email's domain alone is no word
    assert found("m", organization_id=home) == ["Пётр Иванов", "Анна Смирнова"]
    assert found("an", organization_id=other) == ["Anna Ångström"]


def test_renames_moves_and_deletes_keep_search_and_counts_exact(api: ApiClient, root: dict[str, str]) -> None:
    home, other = new_org(api, root, "Home"), new_org(api, root, "Other")
    new_member(api, root, 1, home, name="Иван Петров")
    user_id = listed(api, root, search="иван")["users"][0]["id"]
    assert api.put(f"/api/users/{user_id}", json={"name": "Олег Сидоров"}, headers=root).status == 200
    assert listed(api, root, search="иван")["pagination"]["total"] == 0
    assert ids(listed(api, root, search="олег сид")) == [user_id]
    assert api.put(f"/api/users/{user_id}", json={"organization_id": other}, headers=root).status == 200
    assert listed(api, root, search="олег", organization_id=home)["pagination"]["total"] == 0
    assert ids(listed(api, root, search="олег", organization_id=other)) == [user_id]
    assert ids(listed(api, root, organization_id=other)) == [user_id]
    assert listed(api, root, organization_id=home)["pagination"]["total"] == 0
    assert api.delete(f"/api/users/{user_id}", headers=root).status == 200
    assert listed(api, root, search="олег")["pagination"]["total"] == 0
    assert listed(api, root, organization_id=other)["pagination"]["total"] == 0
    assert listed(api, root)["pagination"]["total"] == 1


def test_a_user_has_a_bounded_number_of_search_tokens() -> None:
    long_words = directory.words("Александра-Мария Константиновна", "Долгорукова", "a.very.long.address@x.kz")
    assert len(directory.tokens(long_words)) <= directory.MAX_TOKENS
    assert directory.tokens(directory.words("Пётр", None, "P@x")) == {
        "п",
        "пе",
        "пет",
        "петр",
        "p",
        "p@",
        "p@x",
    }


def test_a_rename_through_another_surface_moves_the_search_tokens(embedded_aws: MotoAws) -> None:
    user = UserItem.new(
        7, email="e7@example.com", password_hash="-", first_name="Иван", created_at="t", updated_at="t"
    )
    users.create(user, [("email", "e7@example.com")])
    assert directory.search("иван", None, 0, 15) == directory.SearchResult([7], 1)
    assert apps.update_user_profile(user, {"first_name": "Зарина", "updated_at": "u"}, {"app_data": None})
    assert directory.search("иван", None, 0, 15) == directory.SearchResult([], 0)
    assert directory.search("зари", None, 0, 15) == directory.SearchResult([7], 1)
    assert not apps.update_user_profile(user, {"first_name": "Олег"}, {"app_data": {"x": 1}})
    assert directory.search("олег", None, 0, 15).total == 0  # a refused change moves no token
