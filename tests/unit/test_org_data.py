"""Organization-structure data: counts in transactions, refused deletes, the position seed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gatehouse.data import org
from gatehouse.services import accounts, org_structure_units


def test_membership_moves_every_count_and_user_deletes_release_them(embedded_aws: Any) -> None:
    first = org.create_organization(1, "2024-01-01T00:00:00.000000Z", {"name": "First"})
    dept = org.create_department(1, "2024-01-01T00:00:00.000000Z", first.id, {"name": "D"})
    accounts.register(email="root@example.com", password="password-1")
    user = accounts.register(email="a@example.com", password="password-1")
    org.move_user(user, org.Membership(first.id, dept.id, None), "2024-01-01T00:00:00.000000Z")
    stored_org, stored_dept = org.get_organization(first.id), org.get_department(dept.id)
    assert stored_org is not None
    assert stored_dept is not None
    assert (stored_org.users_count, stored_org.departments_count, stored_dept.users_count) == (1, 1, 1)
    with pytest.raises(org.StillReferenced):
        org.delete_organization(stored_org)
    accounts.remove(user)
    stored_org = org.get_organization(first.id)
    assert stored_org is not None
    assert stored_org.users_count == 0
    assert org.total(org.USERS_TOTAL) == 1


def test_a_stale_membership_read_cannot_double_count(embedded_aws: Any) -> None:
    first = org.create_organization(1, "2024-01-01T00:00:00.000000Z", {"name": "First"})
    accounts.register(email="root@example.com", password="password-1")
    user = accounts.register(email="a@example.com", password="password-1")
    stale = accounts.sign_in("a@example.com", "password-1")
    org.move_user(user, org.Membership(first.id), "2024-01-01T00:00:00.000000Z")
    with pytest.raises(org.ReferenceGone):
        org.move_user(stale, org.Membership(first.id), "2024-01-01T00:00:00.000000Z")
    stored = org.get_organization(first.id)
    assert stored is not None
    assert stored.users_count == 1


def test_concurrent_seeding_writes_the_seed_once(embedded_aws: Any) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: org_structure_units.ensure_positions_seeded(), range(6)))
    root = accounts.register(email="root@example.com", password="password-1")
    assert [p.id for p in org_structure_units.all_positions(root)] == [1000, 1001, 1002, 1003, 1004]
    assert org.total(org.POSITIONS_TOTAL) == 5
