"""Shared user management: profile updates that move unique claims, roles, activation, removal."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import PermissionDenied, ValidationFailed
from gatehouse.security.tokens import JWT_AUTH
from gatehouse.services import accounts, permissions, sessions
from gatehouse.services.mail import MailContext

MAIL = MailContext("d", "https://api.example.com")


def make(n: int, **overrides: Any) -> UserItem:
    return accounts.register(email=f"p{n}@example.com", password="password-1", login=f"p{n}", **overrides)


def test_changing_the_email_moves_its_claim(embedded_aws: Any) -> None:
    make(1)
    user = make(2)
    accounts.update(user, {"email": "new@example.com", "first_name": "Ann"}, mail_context=MAIL)
    assert users.owner_of("email", "new@example.com") == user.id
    assert users.owner_of("email", "p2@example.com") is None
    assert accounts.sign_in("new@example.com", "password-1").first_name == "Ann"
    third = make(3)
    accounts.update(third, {"email": "p2@example.com"}, mail_context=MAIL)  # the freed address is free
    assert users.owner_of("email", "p2@example.com") == third.id


def test_an_email_owned_by_someone_else_is_refused_and_nothing_changes(embedded_aws: Any) -> None:
    make(1)
    user = make(2)
    with pytest.raises(ValidationFailed) as caught:
        accounts.update(user, {"email": "P1@example.com", "first_name": "Changed"}, mail_context=MAIL)
    assert caught.value.violations[0].rule == "unique"
    stored = users.get(user.id)
    assert stored is not None
    assert stored.email == "p2@example.com"
    assert not stored.first_name


def test_an_owners_own_email_change_claims_nothing_until_confirmed(embedded_aws: Any) -> None:
    make(1)
    user = make(2)
    accounts.update(
        user, {"email": "next@example.com", "first_name": "Ann"}, mail_context=MAIL, by_owner=True
    )
    stored = users.get(user.id)
    assert stored is not None
    assert (stored.email, stored.first_name) == ("p2@example.com", "Ann")
    assert users.owner_of("email", "next@example.com") is None
    assert users.owner_of("email", "p2@example.com") == user.id


def test_an_email_change_without_a_mail_context_is_a_programming_error(embedded_aws: Any) -> None:
    make(1)
    with pytest.raises(ValueError, match="MailContext"):
        accounts.update(make(2), {"email": "new@example.com"})


def test_removing_a_user_frees_their_claims_but_the_super_cannot_be_removed(embedded_aws: Any) -> None:
    first, second = make(1), make(2)
    with pytest.raises(PermissionDenied):
        accounts.remove(first)
    token = sessions.start(second, JWT_AUTH).token
    accounts.remove(second)
    assert users.get(second.id) is None
    assert users.owner_of("email", "p2@example.com") is None
    assert users.owner_of("login", "p2") is None
    with pytest.raises(Exception, match=r"revoked|NotAuthenticated"):
        sessions.authenticate(token)


def test_roles_change_below_super_only(embedded_aws: Any) -> None:
    first, second = make(1), make(2)
    accounts.set_role(second, "admin")
    stored = users.get(second.id)
    assert stored is not None
    assert stored.role == "admin"
    for target, role in [(second, "super"), (first, "admin")]:
        with pytest.raises(PermissionDenied):
            accounts.set_role(target, role)


def test_admin_password_resets_sign_the_user_out_everywhere(embedded_aws: Any) -> None:
    make(1)
    user = make(2)
    token = sessions.start(user, JWT_AUTH).token
    accounts.set_password(user, "brand-new-pass", keep_session=None)
    with pytest.raises(Exception, match="revoked"):
        sessions.authenticate(token)
    assert accounts.sign_in("p2", "brand-new-pass").id == user.id


def test_users_page_in_id_order_with_a_cursor(embedded_aws: Any) -> None:
    for n in range(1, 6):
        make(n)
    first_page, cursor = users.page(2)
    assert [u.id for u in first_page] == [1, 2]
    second_page, cursor = users.page(2, cursor)
    assert [u.id for u in second_page] == [3, 4]
    last_page, cursor = users.page(2, cursor)
    assert [u.id for u in last_page] == [5]
    assert cursor is None


def test_default_permissions_follow_role_and_organization(embedded_aws: Any) -> None:
    root = make(1)
    admin, manager, staff, outsider = make(2), make(3), make(4), make(5)
    for user, changes in [
        (admin, {"organization_id": 1}),
        (manager, {"organization_id": 1, "department_id": 10}),
        (staff, {"organization_id": 1, "department_id": 10}),
        (outsider, {"organization_id": 2, "department_id": 20}),
    ]:
        accounts.update(user, changes)
    accounts.set_role(admin, "admin")
    accounts.set_role(manager, "manager")
    assert permissions.can_manage(root, admin)
    assert permissions.can_manage(admin, staff)
    assert not permissions.can_manage(admin, outsider)
    assert permissions.can_manage(manager, staff)
    assert not permissions.can_manage(manager, outsider)
    assert not permissions.can_manage(staff, manager)
    assert permissions.can_manage(staff, staff)
    assert not permissions.can_manage(admin, root)
    assert permissions.can_read(staff, manager)
    assert not permissions.can_read(staff, outsider)
