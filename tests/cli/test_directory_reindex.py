"""`gatehouse directory reindex`: users written before C's directory index existed (no search
tokens, no page blocks) become listed, searched and counted exactly; a re-run changes nothing;
an interrupted run finishes when run again; imports index as they go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gatehouse.data import org
from gatehouse.data.models import CounterItem, Item, UserItem
from gatehouse.data.org import DepartmentItem, Membership, OrganizationItem, PositionItem
from gatehouse_local.template import REPO_ROOT
from gatehouse_local.testing import ApiClient, bearer
from tests.api.test_org_structure import new_dept, new_org, new_position, sign_up
from tests.cli.support import gatehouse

pytestmark = pytest.mark.heavy

LEGACY = 45
FIRST_LEGACY_ID = 5_000


def _legacy_users(org_id: int, dept_id: int, position_id: int) -> list[int]:
    """Users as a version without the index wrote them: the user item with its membership keys,
    the counts moved, and no search posting, head or page block. The first 20 are in the
    department and position, the next 20 only in the organization, the last 5 in none."""
    ids = list(range(FIRST_LEGACY_ID, FIRST_LEGACY_ID + LEGACY))
    for n, user_id in enumerate(ids):
        membership = (
            Membership(org_id, dept_id, position_id)
            if n < 20
            else Membership(org_id)
            if n < 40
            else Membership()
        )
        user = UserItem.new(
            user_id,
            email=f"old{user_id}@company.kz",
            password_hash="-",
            first_name="Legacy",
            last_name=f"Person{n}",
            created_at="2025-01-01T00:00:00Z",
            updated_at="2025-01-01T00:00:00Z",
        )
        org.assign_membership(user, membership)
        user.save()
        for model, scope in (
            (OrganizationItem, membership.organization_id),
            (DepartmentItem, membership.department_id),
            (PositionItem, membership.position_id),
        ):
            if scope is not None:
                model(*model.key(scope)).update(actions=[model.users_count.add(1)])
    CounterItem(*CounterItem.key(org.USERS_TOTAL)).update(actions=[CounterItem.value.add(LEGACY)])
    return ids


def _listed(api: ApiClient, headers: dict[str, str], **query: Any) -> tuple[list[int], int]:
    response = api.get("/api/users", query=query, headers=headers)
    assert response.status == 200, response.body
    data = response.json["data"]
    return [user["id"] for user in data["users"]], data["pagination"]["total"]


def _index_items() -> dict[tuple[str, str], dict[str, Any]]:
    """Every item the index consists of (postings, heads, page blocks, counters, counts)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    start = None
    while True:
        answer = Item._get_connection().scan(exclusive_start_key=start)
        for raw in answer["Items"]:
            if raw.get("entity", {}).get("S") in (
                "search_posting", "search_head", "pages", "counter", "organization", "department", "position",
            ):  # fmt: skip
                found[(raw["PK"]["S"], raw["SK"]["S"])] = raw
        start = answer.get("LastEvaluatedKey")
        if not start:
            return found


@pytest.fixture
def legacy(api: ApiClient) -> tuple[dict[str, str], dict[str, int], list[int]]:
    root = bearer(sign_up(api, 0))  # user 1, written with the index
    org_id = new_org(api, root, "Old Company")
    dept_id = new_dept(api, root, org_id)
    position_id = new_position(api, root, dept_id)
    scopes = {"organization_id": org_id, "department_id": dept_id, "position_id": position_id}
    return root, scopes, _legacy_users(org_id, dept_id, position_id)


def _assert_exact(api: ApiClient, root: dict[str, str], scopes: dict[str, int], ids: list[int]) -> None:
    everyone = [1, *ids]
    assert _listed(api, root, per_page=10, page=3) == (everyone[20:30], len(everyone))
    assert _listed(api, root, per_page=10, page=5) == (everyone[40:50], len(everyone))
    org_members = ids[:40]
    assert _listed(api, root, organization_id=scopes["organization_id"], per_page=15, page=3) == (
        org_members[30:45],
        40,
    )
    assert _listed(api, root, department_id=scopes["department_id"], per_page=15, page=2) == (ids[15:20], 20)
    assert _listed(api, root, position_id=scopes["position_id"], per_page=15) == (ids[:15], 20)
    assert _listed(api, root, search="legacy", per_page=50) == (ids, LEGACY)
    assert _listed(api, root, search="legacy person1", per_page=50)[1] == 11  # Person1, Person10-19
    assert _listed(api, root, search="old", organization_id=scopes["organization_id"], per_page=50) == (
        org_members,
        40,
    )


def test_reindex_makes_lists_search_and_totals_exact_and_a_second_run_changes_nothing(
    api: ApiClient, legacy: tuple[dict[str, str], dict[str, int], list[int]]
) -> None:
    root, scopes, ids = legacy
    # Before: the legacy users are invisible to search; their scopes' blocks do not cover them,
    # so their lists fall back to the first 1000 entries (exact here, at this size).
    assert _listed(api, root, search="legacy") == ([], 0)
    assert _listed(api, root, department_id=scopes["department_id"], per_page=50) == (ids[:20], 20)
    assert _listed(api, root, per_page=10, page=5) == (ids[39:45], LEGACY + 1)
    result = gatehouse("directory", "reindex")
    assert result.exit_code == 0, result.output
    assert "users indexed" in result.output
    _assert_exact(api, root, scopes, ids)
    before = _index_items()
    again = gatehouse("directory", "reindex")
    assert again.exit_code == 0, again.output
    assert "already up to date" in again.output
    assert _index_items() == before
    _assert_exact(api, root, scopes, ids)


def test_reindex_corrects_counts_and_index_items_that_drifted(
    api: ApiClient, legacy: tuple[dict[str, str], dict[str, int], list[int]]
) -> None:
    root, scopes, ids = legacy
    assert gatehouse("directory", "reindex").exit_code == 0
    expected = _index_items()
    # A count off by some, a stale block, a posting of a token nobody has, a wrong head.
    dept = DepartmentItem(*DepartmentItem.key(scopes["department_id"]))
    dept.update(actions=[DepartmentItem.users_count.add(3)])
    stale = org.pages_write(org.PagesItem.department_key(scopes["department_id"]), [999_999], 1)
    stale.item.update(actions=list(stale.actions))
    Item._get_connection().put_item(
        "SEARCH#ALL#zzz",
        "USER#000000005000",
        attributes={"entity": {"S": "search_posting"}, "user_id": {"N": "5000"}, "words": {"S": "zzz"}},
    )
    Item._get_connection().put_item(
        "SEARCH#ALL#legac", "#HEAD", attributes={"entity": {"S": "search_head"}, "n": {"N": "7"}}
    )
    assert _index_items() != expected
    result = gatehouse("directory", "reindex")
    assert result.exit_code == 0, result.output
    assert _index_items() == expected
    _assert_exact(api, root, scopes, ids)


def test_an_interrupted_reindex_finishes_when_run_again(
    api: ApiClient,
    legacy: tuple[dict[str, str], dict[str, int], list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gatehouse_cli import reindex

    root, scopes, ids = legacy
    real = reindex._batch
    calls = {"n": 0}

    def interrupted(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(*args)

    monkeypatch.setattr(reindex, "_batch", interrupted)
    stopped = gatehouse("directory", "reindex")
    assert stopped.exit_code == 130
    assert "run `gatehouse directory reindex` again" in stopped.output
    monkeypatch.setattr(reindex, "_batch", real)
    resumed = gatehouse("directory", "reindex")
    assert resumed.exit_code == 0, resumed.output
    _assert_exact(api, root, scopes, ids)
    assert "already up to date" in gatehouse("directory", "reindex").output


def test_an_import_indexes_as_it_goes_so_reindex_finds_nothing_to_write(
    api: ApiClient, tmp_path: Path
) -> None:
    files = sorted((REPO_ROOT / "examples" / "import" / "c").glob("*.csv"))
    result = gatehouse("import", "C", *map(str, files), "--report", str(tmp_path / "report.csv"))
    assert result.exit_code == 0, result.output
    assert len(_listed_all()) > 0
    checked = gatehouse("directory", "reindex")
    assert checked.exit_code == 0, checked.output
    assert "already up to date" in checked.output


def _listed_all() -> list[UserItem]:
    return [item for item in Item.gsi1.query("USERS") if isinstance(item, UserItem)]
