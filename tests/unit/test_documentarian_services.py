"""Surface A's services without HTTP: ObjectIds, demands, user metas, password reset."""

from __future__ import annotations

import time
from typing import Any

import pytest

from gatehouse import object_ids
from gatehouse.contracts.documentarian import DemandChanges
from gatehouse.data import user_meta as meta_store
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound, PermissionDenied, ValidationFailed
from gatehouse.services import accounts, demands, documentarian_users, password_reset, user_meta
from gatehouse.services.mail import MailContext


def make(n: int) -> UserItem:
    return accounts.register(email=f"p{n}@example.com", password="password-1")


def test_object_ids_are_24_hex_and_start_with_the_creation_second() -> None:
    before = int(time.time())
    object_id = object_ids.new_object_id()
    assert object_ids.is_object_id(object_id)
    assert before <= int(object_id[:8], 16) <= int(time.time())
    assert len({object_ids.new_object_id() for _ in range(1000)}) == 1000
    assert not object_ids.is_object_id("5B86A2DFCE78A217700014F8")
    assert not object_ids.is_object_id("5b86a2dfce78a217700014f")


def test_demand_paging_follows_the_cursor_and_stops(embedded_aws: Any) -> None:
    author = make(1)
    made = {demands.create(author, name=f"d{n}", description="x", responsible_id=author.id).demand_id for n in range(5)}  # fmt: skip
    seen: list[str] = []
    after: str | None = None
    while True:
        page, after = demands.page(2, after)
        assert len(page) <= 2
        seen += [d.demand_id for d in page]
        if after is None:
            break
    assert seen == sorted(made)


def test_a_demand_deleted_meanwhile_is_not_found_on_update(embedded_aws: Any) -> None:
    author = make(1)
    demand = demands.create(author, name="d", description="x", responsible_id=author.id)
    stale = demands.find(demand.demand_id)
    demands.remove(author, demand)
    with pytest.raises(NotFound):
        demands.update(author, stale, DemandChanges.parse({"name": "changed"}))
    with pytest.raises(NotFound):
        demands.remove(author, stale)


def test_responsible_must_exist(embedded_aws: Any) -> None:
    author = make(1)
    with pytest.raises(ValidationFailed) as caught:
        demands.create(author, name="d", description="x", responsible_id=42)
    assert caught.value.violations[0].field == "responsible_id"
    assert caught.value.violations[0].rule == "exists"


def test_removing_a_user_removes_all_their_metas_page_by_page(embedded_aws: Any) -> None:
    admin, target = make(1), make(2)
    for n in range(user_meta.REMOVAL_PAGE + 5):
        user_meta.create(target, owner_id=target.id, key=f"k{n}", value="v")
    kept = user_meta.create(admin, owner_id=admin.id, key="mine", value="v")
    documentarian_users.remove(admin, target)
    assert meta_store.page_of_user(target.id, 100) == ([], None)
    assert [m.meta_id for m in meta_store.page_of_all(100)[0]] == [kept.meta_id]


def test_metas_of_a_user_removed_elsewhere_are_not_found(embedded_aws: Any) -> None:
    admin, target = make(1), make(2)
    meta = user_meta.create(target, owner_id=target.id, key="k", value="v")
    accounts.remove(target)  # as another surface would
    with pytest.raises(NotFound):
        user_meta.find(admin, meta.meta_id)
    user_meta.remove(admin, meta)  # the super may still clear it
    assert meta_store.get(meta.meta_id) is None


def test_plain_users_cannot_clear_orphaned_metas(embedded_aws: Any) -> None:
    make(1)
    target, other = make(2), make(3)
    meta = user_meta.create(target, owner_id=target.id, key="k", value="v")
    accounts.remove(target)
    with pytest.raises(PermissionDenied):
        user_meta.remove(other, meta)


def test_recovery_for_an_unknown_or_deactivated_address_sends_nothing(embedded_aws: Any) -> None:
    make(1)
    user = make(2)
    assert (
        password_reset.send_reset_link("nobody@example.com", MailContext("a", "https://api.example.com"))
        is None
    )
    accounts.set_active(user, False)
    assert (
        password_reset.send_reset_link("p2@example.com", MailContext("a", "https://api.example.com")) is None
    )


def test_an_unknown_reset_token_is_an_exists_violation(embedded_aws: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        password_reset.reset_password("no-such-token", "password-2")
    assert (caught.value.violations[0].field, caught.value.violations[0].rule) == ("token", "exists")
