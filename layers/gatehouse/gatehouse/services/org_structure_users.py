"""Surface C's staff directory: users as members of organizations, departments and positions.

Who may do what: `gatehouse.services.org_permissions` (global actors, organization admins,
department managers, everyone reading their own organization and editing themselves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gatehouse.clock import iso, now
from gatehouse.contracts.org_structure import NewUser, UserChanges
from gatehouse.data import directory, org, users
from gatehouse.data.models import SessionItem, UserItem, user_key
from gatehouse.data.org import Membership, Related
from gatehouse.errors import Conflict, NotFound, ValidationFailed, Violation
from gatehouse.services import accounts, audit, permissions
from gatehouse.services.mail import MailContext
from gatehouse.services.org_permissions import (
    home_organization,
    is_global,
    require_assignable,
    require_membership_scope,
)
from gatehouse.services.paging import Page, Paging, empty_page, page_of


def split_name(name: str) -> dict[str, str | None]:
    """C's `name` is stored as first and last name, split on the first space."""
    first, _, last = name.strip().partition(" ")
    return {"first_name": first, "last_name": last.strip() or None}


@dataclass(frozen=True)
class UserFilters:
    organization_id: int | None = None
    department_id: int | None = None
    position_id: int | None = None
    role: str | None = None
    is_active: bool | None = None

    @property
    def on_attributes(self) -> bool:
        """Whether it filters on what only the user items hold (no page blocks or search tokens do)."""
        return self.role is not None or self.is_active is not None

    def keeps(self, user: UserItem) -> bool:
        return _agrees(user.role, self.role) and _agrees(user.is_active, self.is_active)


def _agrees(value: object, wanted: object) -> bool:
    """An absent filter (None) agrees with any value."""
    return wanted is None or value == wanted


@dataclass(frozen=True)
class _ScannedScope:
    """An index partition a filtered page is read from, and how many users it holds."""

    partition: tuple[str, str]
    total: Callable[[], int]


def list_users(actor: UserItem, paging: Paging, filters: UserFilters) -> Page[UserItem]:
    organization_id = _listed_organization(actor, filters.organization_id)
    found = _indexed_page(paging, organization_id, filters)
    if found is None:
        scope = _scanned_scope(organization_id, filters)
        if scope is None:
            return empty_page(paging)
        keep = filters.keeps if filters.on_attributes else None
        found = page_of(UserItem, scope.partition, paging, scope.total, keep)
    found.related = user_relations(found.items, with_seen=True)
    return found


def _listed_organization(actor: UserItem, organization_id: int | None) -> int | None:
    """The organization a list is limited to: any (or none) for global actors, else their own."""
    if is_global(actor):
        return organization_id
    home = home_organization(actor)
    permissions.require(organization_id in (None, home))
    return home


def _indexed_page(paging: Paging, organization_id: int | None, filters: UserFilters) -> Page[UserItem] | None:
    """A page read at a bounded cost from page blocks or search tokens; None when they cannot
    answer these filters (or do not cover every user yet)."""
    if filters.on_attributes:
        return None
    if filters.department_id is None and filters.position_id is None:
        # The whole directory or one organization: any page, any search.
        return _directory_page(paging, organization_id)
    if paging.search:
        return None
    # One department's or position's members: any page.
    return _members_page(paging, organization_id, filters)


def _scanned_scope(organization_id: int | None, filters: UserFilters) -> _ScannedScope | None:
    """The most specific filter picks the index partition; the others must agree with it.
    None when they do not, or when it names nothing."""
    if filters.position_id is not None:
        return _position_scope(filters.position_id, filters.department_id, organization_id)
    if filters.department_id is not None:
        return _department_scope(filters.department_id, organization_id)
    if organization_id is not None:
        return _organization_scope(organization_id)
    return _ScannedScope(org.users_partition(None, None, None), users.population)


def _position_scope(
    position_id: int, department_id: int | None, organization_id: int | None
) -> _ScannedScope | None:
    position = org.get_position(position_id)
    if position is None:
        return None
    if not (
        _agrees(position.organization_id, organization_id) and _agrees(position.department_id, department_id)
    ):
        return None
    return _ScannedScope(org.users_partition(None, None, position.id), lambda: max(position.users_count, 0))


def _department_scope(department_id: int, organization_id: int | None) -> _ScannedScope | None:
    department = org.get_department(department_id)
    if department is None or not _agrees(department.organization_id, organization_id):
        return None
    return _ScannedScope(
        org.users_partition(None, department.id, None), lambda: max(department.users_count, 0)
    )


def _organization_scope(organization_id: int) -> _ScannedScope | None:
    organization = org.get_organization(organization_id)
    if organization is None:
        return None
    return _ScannedScope(
        org.users_partition(organization.id, None, None), lambda: max(organization.users_count, 0)
    )


def _directory_page(paging: Paging, organization_id: int | None) -> Page[UserItem] | None:
    """A page from gatehouse.data.directory: search tokens, or page blocks then one Query.
    None when the scope's blocks do not cover all its users (written before blocks were)."""
    start = (paging.page - 1) * paging.per_page
    if paging.search:
        found = directory.search(paging.search, organization_id, start, paging.per_page)
        return Page(_users_by_id(found.user_ids), found.total, paging.page, paging.per_page)
    if organization_id is None:
        blocks = directory.directory_blocks()
        partition = org.users_partition(None, None, None)
    else:
        organization, blocks = directory.organization_with_blocks(organization_id)
        if organization is None:
            return empty_page(paging)
        partition = org.users_partition(organization.id, None, None)
    return _blocks_page(paging, blocks, partition)


def _members_page(paging: Paging, organization_id: int | None, filters: UserFilters) -> Page[UserItem] | None:
    """A page of one position's (else one department's) members from its page blocks, then one
    Query; the other filters must agree with it. None when the blocks do not cover every member
    (users written before these blocks were: `gatehouse directory reindex` writes them)."""
    scope: org.PositionItem | org.DepartmentItem | None
    if filters.position_id is not None:
        scope, blocks = directory.position_with_blocks(filters.position_id)
        if (
            scope is not None
            and filters.department_id is not None
            and scope.department_id != filters.department_id
        ):
            return empty_page(paging)
        partition = org.users_partition(None, None, filters.position_id)
    elif filters.department_id is not None:
        scope, blocks = directory.department_with_blocks(filters.department_id)
        partition = org.users_partition(None, filters.department_id, None)
    else:
        return None
    if scope is None or (organization_id is not None and scope.organization_id != organization_id):
        return empty_page(paging)
    return _blocks_page(paging, blocks, partition)


def _blocks_page(
    paging: Paging, blocks: directory.Blocks, partition: tuple[str, str]
) -> Page[UserItem] | None:
    if not blocks.complete:
        return None
    first_id, skip = blocks.start_of((paging.page - 1) * paging.per_page)
    members = [] if first_id < 0 else directory.users_from(*partition, first_id, skip + paging.per_page)
    return Page(members[skip:], blocks.total, paging.page, paging.per_page)


def _users_by_id(user_ids: Sequence[int]) -> list[UserItem]:
    """The users of a page in the given order: one BatchGetItem."""
    if not user_ids:
        return []
    found = {
        item.id: item
        for item in UserItem.batch_get([user_key(i) for i in user_ids])
        if isinstance(item, UserItem)
    }
    return [found[i] for i in user_ids if i in found]


def user_relations(members: Sequence[UserItem], *, with_seen: bool = False) -> Related:
    """The members' organizations, departments and positions; `with_seen` (a page read from an
    index, without their SEEN items) adds their `last_login_at` in the same BatchGetItem."""
    return org.related(
        organization_ids=[u.organization_id for u in members],
        department_ids=[u.department_id for u in members],
        position_ids=[u.position_id for u in members],
        seen_of=members if with_seen else (),
    )


def get_user(actor: UserItem, user_id: int) -> UserItem:
    found = users.get(user_id)
    if found is None:
        raise NotFound("user")
    permissions.require(permissions.can_read(actor, found))
    return found


def _requested_membership(request: NewUser | UserChanges, current: Membership) -> Membership:
    """What the request does not name stays, unless what it belongs to changed."""
    organization_id = request.organization_id if request.sent("organization_id") else current.organization_id
    org_changed = organization_id != current.organization_id
    department_id = current.department_id if not org_changed else None
    if request.sent("department_id"):
        department_id = request.department_id
    position_id = current.position_id if not org_changed and department_id == current.department_id else None
    if request.sent("position_id"):
        position_id = request.position_id
    return Membership(organization_id, department_id, position_id)


def _membership(request: NewUser | UserChanges, current: Membership) -> Membership:
    """The requested membership, checked against the store: each referenced item exists and
    the department belongs to the organization, the position to the department."""
    requested = _requested_membership(request, current)
    organization_id, department_id, position_id = (
        requested.organization_id,
        requested.department_id,
        requested.position_id,
    )
    found = org.related([organization_id], [department_id], [position_id])
    violations = []
    if organization_id is not None and organization_id not in found.organizations:
        violations.append(Violation("organization_id", "exists"))
    department = found.departments.get(department_id) if department_id is not None else None
    if department_id is not None and (department is None or department.organization_id != organization_id):
        violations.append(Violation("department_id", "exists"))
    position = found.positions.get(position_id) if position_id is not None else None
    if position_id is not None and (
        position is None
        or (position.department_id is not None and position.department_id != department_id)
        or (position.organization_id is not None and position.organization_id != organization_id)
    ):
        violations.append(Violation("position_id", "exists"))
    if violations:
        raise ValidationFailed(violations)
    return requested


def _moved(user: UserItem, membership: Membership, stamp: str | None = None) -> None:
    try:
        reindex = directory.index_changes(
            [directory.Entry.of(user)],
            [directory.Entry.of(user, organization_id=membership.organization_id)],
        )
        org.move_user(user, membership, stamp or iso(now()), also=reindex)
    except org.ReferenceGone as gone:
        fields = {"organization": "organization_id", "department": "department_id", "position": "position_id"}
        violations = [Violation(fields[label], "exists") for label in sorted(gone.labels) if label in fields]
        if not violations:
            raise Conflict("The user changed meanwhile; try again.") from None
        raise ValidationFailed(violations) from None


def create_user(actor: UserItem, request: NewUser, mail_context: MailContext) -> UserItem:
    role = request.role or "user"
    membership = _membership(request, Membership())
    require_membership_scope(actor, membership)
    require_assignable(actor, role)
    user = accounts.register(
        email=request.email,
        password=request.password,
        attributes={
            **split_name(request.name),
            "phone": request.phone,
            "position_title": request.position,
        },
        mail_context=mail_context,
    )
    try:
        # Part of creating the user: `updated_at` stays equal to `created_at`, as documented.
        _moved(user, membership, stamp=user.created_at)
        if role != user.role:
            accounts.set_role(user, role, stamp=user.created_at)
    except Exception:
        accounts.remove(user)  # never leave a half-made user behind
        raise
    audit.record("user.create", actor=actor, target_type="user", target_id=user.id)
    return user


def update_user(actor: UserItem, user_id: int, request: UserChanges) -> UserItem:
    target = get_user(actor, user_id)
    permissions.require(permissions.can_manage(actor, target))
    membership = _membership(request, Membership.of(target))
    role = request.role or target.role
    moves = membership != Membership.of(target) or role != target.role
    if moves:
        # Nobody moves or promotes themselves, except the global actors their own membership.
        permissions.require(actor.id != target.id or (is_global(actor) and role == target.role))
        require_membership_scope(actor, membership)
        if role != target.role:
            require_assignable(actor, role)
    profile: dict[str, Any] = {}
    if request.name is not None:
        profile.update(split_name(request.name))
    if request.sent("phone"):
        profile["phone"] = request.phone
    if request.sent("position"):
        profile["position_title"] = request.position
    accounts.update(target, profile)
    _moved(target, membership)
    if role != target.role:
        accounts.set_role(target, role)
    audit.record("user.update", actor=actor, target_type="user", target_id=target.id)
    return target


def _managed_other(actor: UserItem, user_id: int) -> UserItem:
    target = get_user(actor, user_id)
    permissions.require(actor.id != target.id and permissions.can_manage(actor, target))
    return target


def delete_user(actor: UserItem, user_id: int) -> UserItem:
    target = _managed_other(actor, user_id)
    try:
        accounts.remove(target)
    except org.ReferenceGone:
        raise Conflict("The user changed meanwhile; try again.") from None
    audit.record("user.delete", actor=actor, target_type="user", target_id=target.id)
    return target


def change_password(actor: UserItem, user_id: int, password: str, session: SessionItem) -> UserItem:
    target = get_user(actor, user_id)
    permissions.require(permissions.can_manage(actor, target))
    # Someone else's change signs the user out everywhere; one's own keeps only the session making it.
    accounts.set_password(target, password, keep_session=session if actor.id == target.id else None)
    audit.record("user.password", actor=actor, target_type="user", target_id=target.id)
    return target


def set_active(actor: UserItem, user_id: int, active: bool) -> UserItem:
    target = _managed_other(actor, user_id)
    if target.is_active != active:
        accounts.set_active(target, active)
    audit.record(
        "user.activate" if active else "user.deactivate", actor=actor, target_type="user", target_id=target.id
    )
    return target
