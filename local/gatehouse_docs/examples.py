"""Examples from the seed documents (../shared/seeds), by surface key, method and path.

Every example request body and example answer the seeds give, with their values, put on the
operation it belongs to. Where Gatehouse deliberately differs (SPEC "Deliberate deviations": no
password hash, `remember_token` or `confirm_token` in an answer) or a seed's example does not fit
the shape Gatehouse answers (the document's schema), it is adapted, and the comment next to it
names the seed's section. An operation the seeds give no example for has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Alternatives:
    """Several answers a seed gives for one status (its `// | "…"` comments), by name."""

    named: Mapping[str, Any]


@dataclass(frozen=True)
class SeedExample:
    request: Any = None
    # Status → its example, or its named alternatives.
    responses: dict[int, Any] = field(default_factory=dict)

    def apply(self, operation: dict[str, Any]) -> None:
        if self.request is not None and "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                media["example"] = self.request
        for status, example in self.responses.items():
            response = operation["responses"].get(str(status))
            if response is not None and "content" in response:
                for media in response["content"].values():
                    if isinstance(example, Alternatives):
                        media["examples"] = {name: {"value": value} for name, value in example.named.items()}
                    else:
                        media["example"] = example


SEEDS: dict[tuple[str, str, str], SeedExample] = {}


def of(surface: str, method: str, path: str) -> SeedExample | None:
    return SEEDS.get((surface, method, path))


def _seed(surface: str, methods: str, path: str, request: Any = None, **responses: Any) -> None:
    """Registers one seed section's examples for each of its methods (`"put patch"`); answers
    are given as `s200=...`."""
    example = SeedExample(
        request, {int(status.removeprefix("s")): body for status, body in responses.items()}
    )
    for method in methods.split():
        SEEDS[(surface, method, path)] = example


# --- A: seeds/000 (Documentarian). Only user_meta's requests show a body; the answers are the
# "Example response" blocks.

_A_DEMANDS = [
    {
        "_id": "5b86a2dfce78a217700014f8",
        "name": "Demand Name 1",
        "description": "Demand description 1",
        "author_id": 1000,
        "responsible_id": 1000,
        "created_at": "2018-08-29 13:42:55",
        "updated_at": "2018-08-29 13:42:55",
    },
    {
        "_id": "5b86a2dfce78a217700014f9",
        "name": "Demand Name 2",
        "description": "Demand description 2",
        "author_id": 1000,
        "responsible_id": 1001,
        "created_at": "2018-08-29 13:42:55",
        "updated_at": "2018-08-29 13:42:55",
    },
]
_A_POSITIONS = [
    {
        "_id": position_id,
        "name": name,
        "description": description,
        "created_at": "2018-08-29 13:42:55",
        "updated_at": "2018-08-29 13:42:55",
    }
    for position_id, name, description in (
        (1000, "teacher", "Воспитатель"),
        (1001, "doctor", "Медицинский работник"),
        (1002, "supplier", "МТО"),
        (1003, "clerk", "Делопроизводитель"),
        (1004, "administrator", "Управляющий"),
    )
]
# The seed's users also show `password` (a bcrypt hash), `remember_token` and `confirm_token`:
# never answered (SPEC "Deliberate deviations").
_A_USERS = [
    {
        "_id": user_id,
        "surname": surname,
        "name": name,
        "middlename": middlename,
        "email": email,
        "is_verified": is_verified,
        "created_at": "2018-08-29 13:42:55",
        "updated_at": "2018-08-29 13:42:55",
    }
    for user_id, surname, name, middlename, email, is_verified in (
        ("000000000000000000000001", "Иванов", "Иванов", "Иванович", "test1@test.ru", 0),
        ("000000000000000000000002", "Петров", "Петр", "Петрович", "test2@test.ru", 0),
        ("000000000000000000000003", "Юсупов", "Замир", "Алмасович", "jusupovz@gmail.com", 1),
    )
]
_A_USER_META = [
    {
        "_id": meta_id,
        "user__id": user_id,
        "key": key,
        "value": value,
        "created_at": "2018-08-29 13:42:55",
        "updated_at": "2018-08-29 13:42:55",
    }
    for meta_id, user_id, key, value in (
        ("5b86a2dfce78a217700014f2", "000000000000000000000001", "phone", "+79222222222"),
        ("5b86a2dfce78a217700014f3", "000000000000000000000001", "dob", "1990-01-01"),
        ("5b86a2dfce78a217700014f4", "000000000000000000000001", "number", "100"),
        ("5b86a2dfce78a217700014f5", "000000000000000000000002", "phone", "+7933333333"),
        ("5b86a2dfce78a217700014f6", "000000000000000000000002", "dob", "1970-06-01"),
        ("5b86a2dfce78a217700014f7", "000000000000000000000002", "number", "101"),
    )
]
# The seed's `user__id` is Documentarian's filler ("perspiciatis", "quis"), which no user's `_id`
# (24 hexadecimal digits) can be: its first user's stands in.
_A_META_OWNER = _A_USERS[0]["_id"]

_seed(
    "a",
    "get",
    "/api/v1/logout",
    s401={"success": False, "error": {"code": 0, "message": "Token not provided"}},
)
# The seed's single-object answers ("Get all" of /{demand}, /{position}, /{user}) are `{}` and
# its "Get UserMeta" is `null` (Documentarian ran them on ids that named nothing): the first
# object of the same seed's list stands in, as the route answers one.
_seed("a", "get", "/api/v1/demand", s200=_A_DEMANDS)
_seed("a", "get", "/api/v1/demand/{demand}", s200=_A_DEMANDS[0])
_seed("a", "get", "/api/v1/position", s200=_A_POSITIONS)
_seed("a", "get", "/api/v1/position/{position_id}", s200=_A_POSITIONS[0])
_seed("a", "get", "/api/v1/user", s200=_A_USERS)
_seed("a", "get", "/api/v1/user/{user}", s200=_A_USERS[0])
_seed("a", "get", "/api/v1/user_meta", s200=_A_USER_META)
_seed("a", "get", "/api/v1/user_meta/{user_metum}", s200=_A_USER_META[0])
_seed(
    "a",
    "post",
    "/api/v1/user_meta",
    request={"user__id": _A_META_OWNER, "key": "perspiciatis", "value": "perspiciatis"},
)
_seed(
    "a",
    "put patch",
    "/api/v1/user_meta/{user_metum}",
    request={"user__id": _A_META_OWNER, "key": "quis", "value": "quis"},
)

# --- B: seeds/001 (Documentarian, tymon/jwt-auth).

_B_TOKEN = {"access_token": "", "token_type": "bearer", "expires_in": 3600}

_seed(
    "b",
    "post",
    "/api/auth/login",
    request={"email": "me@example.comciw", "password": "12345678"},
    s200=_B_TOKEN,
    s401={"message": "登录验证失败"},
)
_seed(
    "b",
    "post",
    "/api/auth/register",
    request={"username": "demo", "password": "12345678", "email": "me@example.com", "sex": 0, "age": 24},
    s200={"message": "注册成功"},
)
_seed("b", "post", "/api/auth/logout", s200={"message": "登出成功"})
_seed("b", "post", "/api/auth/refresh", s200=_B_TOKEN)
_seed(
    "b",
    "post",
    "/api/auth/me",
    s200={
        "id": 2,
        "created_at": None,
        "updated_at": None,
        "type": 0,
        "username": "example",
        "sex": 0,
        "age": 0,
        "head_portrait": None,
        "clinic": None,
        "mobile": None,
        "email": "me@example.com",
        "fixphonenumber": None,
        "certificat": None,
        "certificat_checked": None,
        "wechat": None,
        "intro": None,
        "school": None,
        "major": None,
    },
)

# --- C: seeds/002 (organisation structure): "Параметры запроса" and "Успешный ответ" blocks.

_C_CREATED = "2024-01-01T12:00:00.000000Z"
_C_UPDATED = "2024-01-01T13:00:00.000000Z"
_C_PAGE = {"current_page": 1, "last_page": 1, "per_page": 15, "total": 1}
_C_COMPANY = {"id": 1, "name": "ООО Компания"}
_C_IT = {"id": 1, "name": "IT отдел"}
_C_IVAN = {"id": 1, "name": "Иван Иванов", "email": "ivan@company.kz"}


def _c_success(message: str, data: Any) -> dict[str, Any]:
    return {"status": "success", "message": message, "data": data}


def _c_stamped(entity: Mapping[str, Any], updated_at: str = _C_CREATED) -> dict[str, Any]:
    return {**entity, "is_active": True, "created_at": _C_CREATED, "updated_at": updated_at}


def _c_resource(
    plural: str, path_id: str, *, listed: Any, new: Any, created: Any, shown: Any, changes: Any, updated: Any
) -> None:
    """The seed's five sections of one resource (list, create, show, update, delete), each answer
    worded "<Resource> <done> successfully"."""
    singular = plural.removesuffix("s")
    named, path, one = singular.capitalize(), f"/api/{plural}", f"/api/{plural}/{{{path_id}}}"
    listing = {plural: [listed], "pagination": _C_PAGE}
    _seed("c", "get", path, s200=_c_success(f"{plural.capitalize()} retrieved successfully", listing))
    _seed(
        "c", "post", path, request=new, s201=_c_success(f"{named} created successfully", {singular: created})
    )
    _seed("c", "get", one, s200=_c_success(f"{named} retrieved successfully", {singular: shown}))
    _seed(
        "c",
        "put",
        one,
        request=changes,
        s200=_c_success(f"{named} updated successfully", {singular: updated}),
    )
    _seed("c", "delete", one, s200=_c_success(f"{named} deleted successfully", None))


_C_ORGANIZATION = _c_stamped(
    {
        **_C_COMPANY,
        "description": "Описание компании",
        "address": "г. Алматы, ул. Абая 1",
        "phone": "+7 727 123 45 67",
        "email": "info@company.kz",
        "website": "https://company.kz",
    }
)
_C_NEW_ORGANIZATION = {
    "name": "ООО Новая Компания",
    "description": "Описание новой компании",
    "address": "г. Алматы, ул. Абая 1",
    "phone": "+7 727 123 45 67",
    "email": "info@newcompany.kz",
    "website": "https://newcompany.kz",
}
_C_ORGANIZATION_CHANGES = {
    "name": "ООО Обновленная Компания",
    "description": "Обновленное описание",
    "address": "г. Алматы, ул. Абая 2",
    "phone": "+7 727 987 65 43",
    "email": "info@updated.kz",
    "website": "https://updated.kz",
}

_c_resource(
    "organizations",
    "organization_id",
    listed={**_C_ORGANIZATION, "departments_count": 5, "users_count": 25},
    new=_C_NEW_ORGANIZATION,
    created=_c_stamped({"id": 2, **_C_NEW_ORGANIZATION}),
    shown={
        **_C_ORGANIZATION,
        "departments": [{**_C_IT, "description": "Отдел информационных технологий"}],
        "users": [{**_C_IVAN, "position": "Менеджер"}],
    },
    changes=_C_ORGANIZATION_CHANGES,
    updated=_c_stamped({"id": 1, **_C_ORGANIZATION_CHANGES}, _C_UPDATED),
)

_C_IT_DEPARTMENT = _c_stamped(
    {
        **_C_IT,
        "description": "Отдел информационных технологий",
        "organization_id": 1,
        "organization": _C_COMPANY,
    }
)
_C_NEW_DEPARTMENT = {"name": "HR отдел", "description": "Отдел кадров", "organization_id": 1}
_C_DEPARTMENT_CHANGES = {
    "name": "IT и Разработка",
    "description": "Отдел информационных технологий и разработки",
    "organization_id": 1,
}

_c_resource(
    "departments",
    "department_id",
    listed={**_C_IT_DEPARTMENT, "users_count": 8},
    new=_C_NEW_DEPARTMENT,
    created=_c_stamped({"id": 2, **_C_NEW_DEPARTMENT, "organization": _C_COMPANY}),
    shown={**_C_IT_DEPARTMENT, "users": [{**_C_IVAN, "position": "Разработчик"}]},
    changes=_C_DEPARTMENT_CHANGES,
    updated=_c_stamped({"id": 1, **_C_DEPARTMENT_CHANGES, "organization": _C_COMPANY}, _C_UPDATED),
)

_C_IT_OF_COMPANY = {**_C_IT, "organization": _C_COMPANY}
_C_DEVELOPER = _c_stamped(
    {
        "id": 1,
        "name": "Разработчик",
        "description": "Разработчик программного обеспечения",
        "department_id": 1,
        "department": _C_IT_OF_COMPANY,
        "salary_min": 300000,
        "salary_max": 500000,
    }
)
_C_NEW_POSITION = {
    "name": "Менеджер по продажам",
    "description": "Менеджер по работе с клиентами",
    "department_id": 2,
    "salary_min": 200000,
    "salary_max": 350000,
}
_C_POSITION_CHANGES = {
    "name": "Старший разработчик",
    "description": "Старший разработчик программного обеспечения",
    "department_id": 1,
    "salary_min": 400000,
    "salary_max": 600000,
}

# The seed's position member shows a `salary` (400000); Gatehouse keeps no salaries and answers
# null (contracts.org_structure.PositionMember).
_c_resource(
    "positions",
    "position_id",
    listed={**_C_DEVELOPER, "users_count": 3},
    new=_C_NEW_POSITION,
    created=_c_stamped(
        {
            "id": 2,
            **_C_NEW_POSITION,
            "department": {"id": 2, "name": "Отдел продаж", "organization": _C_COMPANY},
        }
    ),
    shown={**_C_DEVELOPER, "users": [{**_C_IVAN, "salary": None}]},
    changes=_C_POSITION_CHANGES,
    updated=_c_stamped({"id": 1, **_C_POSITION_CHANGES, "department": _C_IT_OF_COMPANY}, _C_UPDATED),
)


def _c_user(
    *,
    name: str,
    email: str,
    phone: str,
    position: Mapping[str, Any],
    department: Mapping[str, Any],
    role: str,
) -> dict[str, Any]:
    """The seed's users show `position` twice, the job title and then the position held; JSON
    keeps the latter, and so does Gatehouse for a user holding a position."""
    return {
        "id": 1,
        "name": name,
        "email": email,
        "phone": phone,
        "position": dict(position),
        "role": role,
        "organization_id": 1,
        "department_id": department["id"],
        "position_id": position["id"],
        "organization": _C_COMPANY,
        "department": dict(department),
        "is_active": True,
        "last_login_at": "2024-01-01T10:00:00.000000Z",
    }


_C_DEVELOPER_REF = {"id": 1, "name": "Разработчик"}
_C_IVAN_USER = _c_stamped(
    _c_user(
        name="Иван Иванов",
        email="ivan@company.kz",
        phone="+7 777 123 45 67",
        position=_C_DEVELOPER_REF,
        department=_C_IT,
        role="user",
    )
)
_C_NEW_USER = {
    "name": "Петр Петров",
    "email": "petr@company.kz",
    "password": "password123",
    "password_confirmation": "password123",
    "phone": "+7 777 987 65 43",
    "position": "Менеджер",
    "organization_id": 1,
    "department_id": 2,
    "position_id": 2,
    "role": "user",
}
_C_USER_CHANGES = {
    "name": "Иван Петров",
    "phone": "+7 777 555 44 33",
    "position": "Старший разработчик",
    "organization_id": 1,
    "department_id": 1,
    "position_id": 1,
    "role": "manager",
}
# The seed's created user has no `last_login_at` (it has not signed in): Gatehouse answers null.
_C_PETR_USER = _c_stamped(
    {
        **_c_user(
            name="Петр Петров",
            email="petr@company.kz",
            phone="+7 777 987 65 43",
            position={"id": 2, "name": "Менеджер по продажам"},
            department={"id": 2, "name": "Отдел продаж"},
            role="user",
        ),
        "id": 2,
        "last_login_at": None,
    }
)

_c_resource(
    "users",
    "user_id",
    listed=_C_IVAN_USER,
    new=_C_NEW_USER,
    created=_C_PETR_USER,
    shown={**_C_IVAN_USER, "permissions": [], "roles": ["user"]},
    changes=_C_USER_CHANGES,
    updated=_c_stamped(
        _c_user(
            name="Иван Петров",
            email="ivan@company.kz",
            phone="+7 777 555 44 33",
            position=_C_DEVELOPER_REF,
            department=_C_IT,
            role="manager",
        ),
        _C_UPDATED,
    ),
)
_seed(
    "c",
    "put",
    "/api/users/{user_id}/password",
    request={"password": "newpassword123", "password_confirmation": "newpassword123"},
    s200=_c_success("Password changed successfully", None),
)
_seed(
    "c",
    "put",
    "/api/users/{user_id}/activate",
    s200=_c_success("User activated successfully", {"user": {"id": 1, "is_active": True}}),
)
_seed(
    "c",
    "put",
    "/api/users/{user_id}/deactivate",
    s200=_c_success("User deactivated successfully", {"user": {"id": 1, "is_active": False}}),
)
_seed(
    "c",
    "get",
    "/api/roles",
    s200=_c_success(
        "Roles retrieved successfully",
        {
            "roles": [
                {
                    "id": 1,
                    "name": "admin",
                    "display_name": "Администратор",
                    "description": "Полный доступ к системе",
                },
                {"id": 2, "name": "manager", "display_name": "Менеджер", "description": "Управление отделом"},
                {
                    "id": 3,
                    "name": "user",
                    "display_name": "Пользователь",
                    "description": "Обычный пользователь",
                },
            ]
        },
    ),
)

# --- D: seeds/003 (users.md): "Пример запроса", "Пример ответа" and "Пример НЕ успешного ответа"
# blocks; every `user_struct...` is the seed's USER STRUCT.

# USER STRUCT's `group` is `{ group_struct... } | false`, and the seed shows no group: false.
_D_USER = {
    "id": 12,
    "first_name": "John",
    "mid_name": "",
    "last_name": "Doe",
    "nickname": "john.doe",
    "userpic": "http://url-to-img",
    "contacts": {
        "email": "john.doe@gmail.com",
        "phone": "+38063xxxxxxx",
        "telegram": "@tgnickname",
        "viber": "+38063xxxxxxx",
    },
    "role": "user",
    "group": False,
    "last_activity": "2025-07-28 18:35",
    "create_at": "2025-07-28 18:35",
}
_D_ONE_USER = {"status": "ok", "user": _D_USER}
# The seed words the refusal "Permissions error" and, in its comments, "Permission error":
# Gatehouse answers the former, with 403.
_D_NO_RIGHTS = {"status": "error", "message": "Permissions error"}
_D_NO_USER = {"status": "error", "message": "User not found"}


def _d_refusal(field_name: str, message: str) -> dict[str, str]:
    """A 422: Gatehouse names the invalid field, as the seed does for new_user's."""
    return {"status": "error", "field": field_name, "message": message}


# A 512×512 PNG, as the seed's `"upload_userpic": "base64;..."` says it must be ("Обязательно в
# base64, разрешение 512*512 пикс."), in the seed's own `base64;` spelling.
_D_USERPIC = (
    "base64;iVBORw0KGgoAAAANSUhEUgAAAgAAAAIAAQAAAADcA+lXAAAANklEQVR42u3BAQEAAACCIP+vbkhAAQAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAB8G4IAAAFjdVCkAAAAAElFTkSuQmCC"
)

_seed(
    "d",
    "post",
    "/api/v1/users/new_user",
    request={
        "first_name": "John",
        "mid_name": "",
        "last_name": "Doe",
        "nickname": "john.doe",
        "email": "john.doe@gmail.com",
        "password": "strong_password",
        "role": "user",
    },
    s200=_D_ONE_USER,
    s403=_D_NO_RIGHTS,
    s422=Alternatives(
        {
            "nickname_taken": _d_refusal("nickname", "Alias already exists"),
            "email_empty": _d_refusal("email", "Email can`t be empty"),
            "weak_password": _d_refusal("password", "Password must be strongest"),
        }
    ),
)
# USER STRUCT's list has no `next_cursor`; Gatehouse pages the list and answers null on its last page.
_seed(
    "d",
    "get",
    "/api/v1/users/list",
    s200={"status": "ok", "users": [_D_USER], "total": 15, "next_cursor": None},
    s403=_D_NO_RIGHTS,
)
_seed("d", "get", "/api/v1/users/id/{user_id}", s200=_D_ONE_USER, s403=_D_NO_RIGHTS, s404=_D_NO_USER)
_seed("d", "get", "/api/v1/users/current", s200=_D_ONE_USER)
# The seed's request also sends `"role": "user"`, which this route ignores (the seed says so).
_seed(
    "d",
    "post",
    "/api/v1/users/id/{user_id}/update",
    request={"last_name": "Smith", "role": "user"},
    s200={"status": "ok", "user": {**_D_USER, "last_name": "Smith"}},
)
_seed(
    "d",
    "post",
    "/api/v1/users/id/{user_id}/update/userpic",
    request={"upload_userpic": _D_USERPIC},
    s200=_D_ONE_USER,
    s404=_D_NO_USER,
    s422=_d_refusal("upload_userpic", "Invalid image"),
)
_seed(
    "d",
    "post",
    "/api/v1/users/id/{user_id}/update/role",
    request={"role": "admin"},
    s403=_D_NO_RIGHTS,
    s404=_D_NO_USER,
)
_seed(
    "d",
    "post",
    "/api/v1/users/id/{user_id}/update/password",
    request={"password": "current_password", "new_password": "new_strong_password"},
    s422=Alternatives(
        {
            "weak_password": _d_refusal("new_password", "Password must be strongest"),
            "wrong_password": _d_refusal("password", "Wrong password"),
        }
    ),
)
_seed(
    "d",
    "get",
    "/api/v1/users/id/{user_id}/reset_password",
    s200={"status": "ok", "new_password": "generated_password"},
    s403=_D_NO_RIGHTS,
    s404=_D_NO_USER,
)
# The seed's `[ /* permissions */ ]` names none.
_seed(
    "d",
    "get",
    "/api/v1/users/id/{user_id}/permissions",
    s200={"status": "ok", "permissions": []},
    s403=_D_NO_RIGHTS,
    s404=_D_NO_USER,
)
_seed("d", "get", "/api/v1/users/id/{user_id}/remove", s200=_D_ONE_USER, s403=_D_NO_RIGHTS, s404=_D_NO_USER)

# --- E: seeds/004 (Goncord): "Пример запроса" and "Пример ответа" blocks.

_E_USER = {
    "second_name": "Евгеньевич",
    "roles": [],
    "login": "test",
    "last_name": "Дубина",
    "first_name": "Дмитрий",
    "email": "test@gmail.com",
    "birthday": "1995-03-30",
    "apps": {},
}
_E_JWT = (
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJVc2VyOjQiLCJleHAiOjE0OTIwMDYyMzYsImlhdCI6MTQ5MDc5NjYzNiwiaXNzIjoi"
    "R29uY29yZCIsImp0aSI6IjU2NzM2ZWFiLTE1OTQtNDI0YS1iMWNkLWM0M2ZmYTBmNmZhYSIsInBlbSI6e30sInN1YiI6IlVzZXI6NCIsInR5cCI6"
    "InRva2VuIn0.G9Qeqrh4pmfghBrqGBRzUIMN7lyUXeOR--LBijBfbdfYmHoforv6i4Vi3U8ZFEYxX2a6q5vFBtJqVp5rSbzsqw"
)

_seed(
    "e",
    "post",
    "/api/v0/users",
    request={
        "login": "test",
        "password": "password",
        "email": "test@gmail.com",
        "first_name": "Дмитрий",
        "last_name": "Дубина",
        "second_name": "Евгеньевич",
        "birthday": "1995-03-30",
    },
    s201=_E_USER,
)
_seed(
    "e",
    "post",
    "/api/v0/tokens",
    request={"email": "test@gmail.com", "password": "password"},
    s201={"user": _E_USER, "jwt": _E_JWT},
)
_seed("e", "get", "/api/v0/tokens/validate", s200=_E_USER)
_seed(
    "e",
    "patch",
    "/api/v0/users",
    request={
        "second_name": "Евгеньевич",
        "last_name": "Дубина",
        "first_name": "Дмитрий",
        "birthday": "1995-03-30",
        "roles": [],
        "apps": {},
    },
    s200=_E_USER,
)
