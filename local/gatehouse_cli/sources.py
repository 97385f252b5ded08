"""Each original system's natural export, turned into import rows (examples/import/ has one per source).

A  Laravel + MongoDB: mongoexport JSON of `users` (+ `roles`, `user_roles`), keeping `_id`s in the mapping
B  MySQL `users` (tymon/jwt-auth app): CSV with a header, or a mysqldump file with its INSERTs
C  Laravel organization structure: `organizations`, `departments`, `positions`, `roles`, `users`,
   `user_organization`, `user_position` as CSV (Sanctum tokens are not imported)
D  users-and-logs admin: one JSON document {"permissions": [...], "groups": [...], "users": [...]}
E  Goncord (Postgres): `users`, `roles`, `users_roles`, `resources`, `roles_resources`,
   `users_resources` as CSV (`\\copy … to … csv header`); app tokens are kept as their SHA-256
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatehouse_cli.readers import (
    Line,
    Record,
    SourceError,
    csv_records,
    extended,
    json_document,
    json_records,
    sql_records,
    table_of,
)

SOURCES = ("A", "B", "C", "D", "E")
SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "A": ("users", "roles", "user_roles", "user_meta", "demands"),
    "B": ("users",),
    "C": (
        "organizations",
        "departments",
        "positions",
        "roles",
        "users",
        "user_organization",
        "user_position",
    ),
    "D": ("document",),
    "E": ("users", "roles", "users_roles", "resources", "roles_resources", "users_resources"),
}


@dataclass
class Rejected:
    file: str
    line: int
    original_id: str
    email: str
    reason: str


@dataclass
class Prerequisite:
    """Something users refer to (a group, an organization, an app), created before them."""

    kind: str
    original_id: str
    fields: dict[str, Any]
    file: str = ""
    line: int = 0


@dataclass
class UserRecord:
    """A record that belongs to users (A's user_meta and demands), imported after them with its
    own `_id`; `refs` names, per field, the original id of a user."""

    kind: str
    original_id: str
    fields: dict[str, Any]
    refs: dict[str, str]
    file: str = ""
    line: int = 0


@dataclass
class Person:
    """A user row before it becomes an ImportRow (kept plain: the CLI imports the layer late)."""

    original_id: str
    email: str
    password_hash: str | None
    kept_id: int | None
    login: str | None
    role: str
    attributes: dict[str, Any]
    membership: tuple[int | None, int | None, int | None] | None
    created_at: str | None
    file: str
    line: int


@dataclass
class Loaded:
    source: str
    people: list[Person] = field(default_factory=list)
    prerequisites: list[Prerequisite] = field(default_factory=list)
    user_records: list[UserRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)


def load(source: str, files: Sequence[Path], encoding: str | None) -> Loaded:
    source = source.upper()
    if source not in SOURCES:
        raise SourceError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    loaded = Loaded(source)
    tables: dict[str, list[Line]] = defaultdict(list)
    for path in files:
        if source == "D":
            _load_d(json_document(path, encoding), path.name, loaded)
            continue
        if path.suffix.lower() == ".sql":
            for table, line in sql_records(path, encoding):
                tables[table].append(line)
            continue
        table = table_of(path)
        if table not in SOURCE_TABLES[source]:
            loaded.ignored_files.append(path.name)
            continue
        reader = json_records if path.suffix.lower() in (".json", ".jsonl") else csv_records
        tables[table].extend(reader(path, encoding))
    if source != "D":
        if not tables.get("users"):
            raise SourceError(f"source {source}: no users file among {', '.join(p.name for p in files)}")
        _LOADERS[source](tables, loaded)
    return loaded


# ---- helpers ----


def _text(values: Record, *names: str) -> str | None:
    for name in names:
        value = extended(values.get(name))
        if value is not None and str(value).strip() != "":
            return str(value).strip()
    return None


def _integer(values: Record, *names: str) -> int | None:
    text = _text(values, *names)
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{names[0]} is not an integer: {text!r}") from None
    if number < 0:
        raise ValueError(f"{names[0]} is negative")
    return number


def _boolean(values: Record, *names: str) -> bool | None:
    value = extended(values.get(names[0])) if len(names) == 1 else _text(values, *names)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "t", "true", "yes")


def _person(
    loaded: Loaded,
    line: Line,
    build: Callable[[Record], Person],
) -> None:
    values = line.values
    original = _text(values, "id", "_id") or ""
    email = _text(values, "email") or ""
    if "__invalid__" in values:
        loaded.rejected.append(Rejected(line.file, line.line, original, email, str(values["__invalid__"])))
        return
    if "__extra__" in values:
        loaded.rejected.append(Rejected(line.file, line.line, original, email, "more values than columns"))
        return
    try:
        person = build(values)
    except ValueError as error:
        loaded.rejected.append(Rejected(line.file, line.line, original, email, str(error)))
        return
    person.file, person.line = line.file, line.line
    if not person.original_id:
        loaded.rejected.append(Rejected(line.file, line.line, "", person.email, "no id"))
        return
    if not _looks_like_email(person.email):
        loaded.rejected.append(
            Rejected(line.file, line.line, person.original_id, person.email, "missing or invalid email")
        )
        return
    loaded.people.append(person)


def _looks_like_email(value: str) -> bool:
    from gatehouse.validation import is_email  # late: the layer reads its settings when imported

    return is_email(value)


def _new_person(
    original_id: str,
    email: str | None,
    password_hash: str | None,
    *,
    kept_id: int | None,
    login: str | None = None,
    role: str = "user",
    attributes: dict[str, Any] | None = None,
    created_at: str | None = None,
) -> Person:
    return Person(
        original_id=original_id,
        email=email or "",
        password_hash=password_hash,
        kept_id=kept_id,
        login=login,
        role=role,
        attributes={name: value for name, value in (attributes or {}).items() if value is not None},
        membership=None,
        created_at=created_at,
        file="",
        line=0,
    )


def _iso(value: str | None) -> str | None:
    """A MySQL/Postgres/Mongo timestamp as the ISO instant Gatehouse stores (UTC assumed)."""
    if not value:
        return None
    if value.isdigit():  # epoch milliseconds ($date / $numberLong)
        from datetime import UTC, datetime

        return datetime.fromtimestamp(int(value) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = value.replace(" ", "T")
    if "." not in text:
        text = text.rstrip("Z") + ".000000Z"
    elif not text.endswith("Z"):
        text += "Z"
    return text


# ---- A: mongoexport ----

A_ROLES = {"admin": "admin", "manager": "manager", "moderator": "manager", "super": "super"}


def _load_a(tables: dict[str, list[Line]], loaded: Loaded) -> None:
    role_names = {_text(line.values, "_id"): (_text(line.values, "name") or "") for line in tables["roles"]}
    roles_of: dict[str, list[str]] = defaultdict(list)
    for line in tables["user_roles"]:
        user, role = _text(line.values, "user_id"), _text(line.values, "role_id")
        if user and role in role_names:
            roles_of[user].append(role_names[role].lower())

    def build(values: Record) -> Person:
        original = _text(values, "_id") or ""
        granted = [A_ROLES[name] for name in roles_of.get(original, []) if name in A_ROLES]
        role = max(granted, key=("user", "manager", "admin", "super").index, default="user")
        return _new_person(
            original,
            _text(values, "email"),
            _text(values, "password"),
            kept_id=None,
            role=role,
            attributes={
                "first_name": _text(values, "name"),
                "last_name": _text(values, "surname"),
                "middle_name": _text(values, "middlename"),
                "is_verified": _boolean(values, "is_verified"),
            },
            created_at=_iso(_text(values, "created_at")),
        )

    for line in tables["users"]:
        _person(loaded, line, build)
    for line in tables["user_meta"]:
        _user_record(loaded, line, "user_meta", {"key": _text(line.values, "key"), "value": _text(line.values, "value")},
                     {"user_id": _text(line.values, "user_id", "user__id")})  # fmt: skip
    for line in tables["demands"]:
        fields = {"name": _text(line.values, "name"), "description": _text(line.values, "description") or ""}
        refs = {
            "author_id": _text(line.values, "author_id"),
            "responsible_id": _text(line.values, "responsible_id"),
        }
        _user_record(loaded, line, "demand", fields, refs)


def _user_record(
    loaded: Loaded, line: Line, kind: str, fields: dict[str, Any], refs: dict[str, str | None]
) -> None:
    original = _text(line.values, "_id") or ""
    missing = [name for name, value in {**fields, **refs}.items() if value is None]
    if "__invalid__" in line.values or missing:
        reason = str(line.values.get("__invalid__") or f"{kind} without {', '.join(missing)}")
        loaded.rejected.append(Rejected(line.file, line.line, original, "", reason))
        return
    stamps = {name: _iso(_text(line.values, name)) for name in ("created_at", "updated_at")}
    loaded.user_records.append(
        UserRecord(
            kind,
            original,
            {**fields, **{name: value for name, value in stamps.items() if value}},
            {name: str(value) for name, value in refs.items()},
            line.file,
            line.line,
        )
    )


# ---- B: MySQL users ----

B_PROFILE = {
    "clinic_id": "clinic",
    "fix_phone_number": "fixphonenumber",
    "certificate": "certificat",
    "certificate_checked": "certificat_checked",
    "wechat": "wechat",
    "intro": "intro",
    "school": "school",
    "major": "major",
    "type": "type",
}
B_NUMERIC_PROFILE = frozenset({"clinic", "certificat_checked", "type"})


def _load_b(tables: dict[str, list[Line]], loaded: Loaded) -> None:
    def build(values: Record) -> Person:
        profile: dict[str, Any] = {}
        for column, name in B_PROFILE.items():
            value = _integer(values, column) if name in B_NUMERIC_PROFILE else _text(values, column)
            if value is not None:
                profile[name] = value
        user_id = _integer(values, "id")
        return _new_person(
            str(user_id or ""),
            _text(values, "email"),
            _text(values, "pwd", "password"),
            kept_id=user_id,
            login=_text(values, "username"),
            attributes={
                "sex": _integer(values, "sex"),
                "age": _integer(values, "age"),
                "phone": _text(values, "mobile"),
                "userpic": _text(values, "head_portrait"),
                "profile": profile or None,
            },
            created_at=_iso(_text(values, "created_at")),
        )

    for line in tables["users"]:
        _person(loaded, line, build)


# ---- C: Laravel organization structure ----

C_ROLES = {
    "admin": "admin",
    "administrator": "admin",
    "manager": "manager",
    "head": "manager",
    "super": "super",
}


def _load_c(tables: dict[str, list[Line]], loaded: Loaded) -> None:
    for kind, table in (("organization", "organizations"), ("department", "departments")):
        for line in tables[table]:
            _prerequisite(loaded, kind, line, _c_fields(kind, line.values))
    primary: dict[int, Record] = {}
    for line in tables["user_position"]:
        user = _safe_integer(line.values, "user_id")
        if user is not None and (user not in primary or _boolean(line.values, "is_primary")):
            primary[user] = line.values
    position_places: dict[int, tuple[int | None, int | None]] = {}
    for values in primary.values():
        position = _safe_integer(values, "position_id")
        if position is not None:
            position_places.setdefault(
                position, (_safe_integer(values, "organization_id"), _safe_integer(values, "department_id"))
            )
    for line in tables["positions"]:
        fields = _c_fields("position", line.values)
        position_id = _safe_integer(line.values, "id")
        if position_id is not None and position_id in position_places:
            fields["organization_id"], fields["department_id"] = position_places[position_id]
        _prerequisite(loaded, "position", line, fields)
    role_slugs = {
        _safe_integer(line.values, "id"): (_text(line.values, "slug", "name") or "").lower()
        for line in tables["roles"]
    }
    membership: dict[int, Record] = {}
    for line in tables["user_organization"]:
        user = _safe_integer(line.values, "user_id")
        if user is not None and user not in membership:
            membership[user] = line.values

    def build(values: Record) -> Person:
        user_id = _integer(values, "id")
        attributes: dict[str, Any] = {"phone": _text(values, "phone"), "userpic": _text(values, "avatar")}
        from gatehouse.services.org_structure_users import split_name

        attributes.update(split_name(_text(values, "name") or ""))
        attributes["is_verified"] = _text(values, "email_verified_at") is not None
        if _text(values, "is_active") is not None:
            attributes["is_active"] = _boolean(values, "is_active")
        if _text(values, "position"):
            attributes["position_title"] = _text(values, "position")
        member = membership.get(user_id or 0, {})
        role = C_ROLES.get(role_slugs.get(_safe_integer(member, "role_id"), ""), "user")
        person = _new_person(
            str(user_id or ""),
            _text(values, "email"),
            _text(values, "password"),
            kept_id=user_id,
            role=_text(values, "role") or role,
            attributes=attributes,
            created_at=_iso(_text(values, "created_at")),
        )
        place = primary.get(user_id or 0, {})
        organization = _safe_integer(member, "organization_id") or _safe_integer(place, "organization_id")
        department = _safe_integer(member, "department_id") or _safe_integer(place, "department_id")
        position = _safe_integer(place, "position_id")
        if organization or department or position:
            person.membership = (organization, department, position)
        return person

    for line in tables["users"]:
        _person(loaded, line, build)


def _safe_integer(values: Record, name: str) -> int | None:
    try:
        return _integer(values, name)
    except ValueError:
        return None


def _c_fields(kind: str, values: Record) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": _text(values, "name"),
        "description": _text(values, "description"),
        "is_active": _boolean(values, "is_active") if _text(values, "is_active") is not None else None,
        "created_at": _iso(_text(values, "created_at")),
    }
    if kind == "organization":
        fields["website"] = _text(values, "domain")
    if kind == "department":
        fields["organization_id"] = _safe_integer(values, "organization_id")
    return fields


def _prerequisite(loaded: Loaded, kind: str, line: Line, fields: dict[str, Any]) -> None:
    original = _text(line.values, "id") or ""
    if not original.isdigit() or not fields.get("name"):
        loaded.rejected.append(
            Rejected(line.file, line.line, original, "", f"{kind} without an id or a name")
        )
        return
    loaded.prerequisites.append(
        Prerequisite(kind, original, {k: v for k, v in fields.items() if v is not None}, line.file, line.line)
    )


# ---- D: one JSON document ----

D_ROLES = ("user", "manager", "admin", "super")


def _load_d(document: Any, name: str, loaded: Loaded) -> None:
    if not isinstance(document, dict) or not isinstance(document.get("users"), list):
        raise SourceError(f'{name}: expected an object with a "users" list (and "groups", "permissions")')
    known = document.get("permissions")
    allowed = {str(p) for p in known} if isinstance(known, list) else None
    for index, group in enumerate(document.get("groups") or [], start=1):
        if not isinstance(group, dict):
            loaded.rejected.append(Rejected(name, index, "", "", "a group that is not an object"))
            continue
        granted = [str(p) for p in group.get("permissions") or []]
        unknown = [p for p in granted if allowed is not None and p not in allowed]
        original = str(group.get("id") or "")
        if unknown:
            loaded.rejected.append(
                Rejected(name, index, original, "", f"group grants unknown permissions: {', '.join(unknown)}")
            )
            continue
        line = Line(name, index, group)
        _prerequisite(
            loaded,
            "group",
            line,
            {
                "name": group.get("name"),
                "description": group.get("description"),
                "level": group.get("level") or 0,
                "permissions": granted,
            },
        )

    def build(values: Record) -> Person:
        found = values.get("contacts")
        contacts: dict[str, Any] = found if isinstance(found, dict) else {}
        merged = {**values, **contacts}
        user_id = _integer(merged, "id")
        role = _text(merged, "role") or "user"
        if role not in D_ROLES:
            raise ValueError(f"unknown role {role!r}")
        return _new_person(
            str(user_id or ""),
            _text(merged, "email"),
            _text(merged, "password", "password_hash"),
            kept_id=user_id,
            login=_text(merged, "nickname"),
            role=role,
            attributes={
                "first_name": _text(merged, "first_name"),
                "middle_name": _text(merged, "mid_name"),
                "last_name": _text(merged, "last_name"),
                "phone": _text(merged, "phone"),
                "telegram": _text(merged, "telegram"),
                "viber": _text(merged, "viber"),
                "userpic": _text(merged, "userpic"),
                "group_id": _integer(merged, "group_id"),
                "is_active": _boolean(merged, "is_active"),
            },
            created_at=_iso(_text(merged, "create_at", "created_at")),
        )

    for index, user in enumerate(document["users"], start=1):
        values = user if isinstance(user, dict) else {"__invalid__": "a user that is not an object"}
        _person(loaded, Line(name, index, values), build)


# ---- E: Goncord ----


def _load_e(tables: dict[str, list[Line]], loaded: Loaded) -> None:
    role_names = {_safe_integer(line.values, "id"): _text(line.values, "name") for line in tables["roles"]}
    roles_of = _role_names_by(tables["users_roles"], "user_id", role_names)
    urls = _e_apps(
        tables["resources"], _role_names_by(tables["roles_resources"], "resource_id", role_names), loaded
    )
    payloads = _e_payloads(tables["users_resources"], urls, loaded)

    def build(values: Record) -> Person:
        user_id = _integer(values, "id")
        return _new_person(
            str(user_id or ""),
            _text(values, "email"),
            _text(values, "hashed_password", "password"),
            kept_id=user_id,
            login=_text(values, "login"),
            attributes={
                "first_name": _text(values, "first_name"),
                "last_name": _text(values, "last_name"),
                "middle_name": _text(values, "second_name"),
                "birthday": _text(values, "birthday"),
                "app_roles": roles_of.get(user_id or 0) or None,
                "app_data": payloads.get(user_id or 0) or None,
            },
            created_at=_iso(_text(values, "inserted_at", "created_at")),
        )

    for line in tables["users"]:
        _person(loaded, line, build)


def _role_names_by(
    lines: list[Line], owner_column: str, role_names: dict[int | None, str | None]
) -> dict[int, list[str]]:
    """The names of the roles a join table (`users_roles`, `roles_resources`) gives each owner."""
    names: dict[int, list[str]] = defaultdict(list)
    for line in lines:
        owner, role = _safe_integer(line.values, owner_column), _safe_integer(line.values, "role_id")
        if owner is not None and role_names.get(role):
            names[owner].append(str(role_names[role]))
    return names


def _e_apps(lines: list[Line], app_roles: dict[int, list[str]], loaded: Loaded) -> dict[int, str]:
    """Each resource as an app prerequisite; its URL by id (payloads are keyed by URL)."""
    urls: dict[int, str] = {}
    for line in lines:
        app_id = _safe_integer(line.values, "id")
        token, url = _text(line.values, "token"), _text(line.values, "url")
        if app_id is None or not token or not url:
            loaded.rejected.append(
                Rejected(line.file, line.line, str(app_id or ""), "", "resource without an id, url or token")
            )
            continue
        urls[app_id] = url
        loaded.prerequisites.append(
            Prerequisite(
                "app",
                str(app_id),
                {
                    "name": _text(line.values, "name") or url,
                    "url": url,
                    "is_super": bool(_boolean(line.values, "is_super")),
                    "token": token,
                    "roles": app_roles.get(app_id, []),
                },
                line.file,
                line.line,
            )
        )
    return urls


def _e_payloads(lines: list[Line], urls: dict[int, str], loaded: Loaded) -> dict[int, dict[str, Any]]:
    """Each user's app payloads (`users_resources`), by app URL."""
    payloads: dict[int, dict[str, Any]] = defaultdict(dict)
    for line in lines:
        user, app = _safe_integer(line.values, "user_id"), _safe_integer(line.values, "resource_id")
        if user is None or app not in urls:
            loaded.rejected.append(
                Rejected(line.file, line.line, str(user or ""), "", "payload of an unknown app")
            )
            continue
        raw = line.values.get("payload")
        try:
            payload = json.loads(raw) if isinstance(raw, str) else (raw or {})
        except json.JSONDecodeError:
            loaded.rejected.append(Rejected(line.file, line.line, str(user), "", "payload is not JSON"))
            continue
        if isinstance(payload, dict):
            payloads[user][urls[app]] = payload
    return payloads


_LOADERS: dict[str, Callable[[dict[str, list[Line]], Loaded], None]] = {
    "A": _load_a,
    "B": _load_b,
    "C": _load_c,
    "E": _load_e,
}


def kinds_in_order(prerequisites: Iterable[Prerequisite]) -> list[Prerequisite]:
    """Parents before children: organizations, departments, positions; groups; apps."""
    order = {"organization": 0, "department": 1, "position": 2, "group": 3, "app": 4}
    return sorted(prerequisites, key=lambda p: (order[p.kind], int(p.original_id)))
