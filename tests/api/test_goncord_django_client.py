"""The calls of the public Django client of Goncord (herald-it/django-goncord, `backends.py` and
`middleware.py`), replayed as it makes them: JSON bodies, the `jwt` cookie's value sent as
`Authorization: Bearer`, the service's `x-app-token`, and `login` as the Django username."""

from __future__ import annotations

from typing import Any

from gatehouse_local.testing import ApiClient
from tests.api.documentarian_client import registration
from tests.api.goncord_client import create_app, registered_super

PASSWORD = "correct-horse-1"
BASE = "/api/v0"


def as_django(jwt: str, service_token: str | None = None) -> dict[str, str]:
    """`Goncord.prepare_cookie`, plus `x-app-token` where the client sends GONCORD_SERVICE_TOKEN."""
    headers = {"Authorization": f"Bearer {jwt}"}
    if service_token is not None:
        headers["x-app-token"] = service_token
    return headers


def middleware_username(api: ApiClient, jwt: str) -> Any:
    """GoncordMiddleware: validate the cookie's token, then RemoteUserBackend keys on `login`."""
    response = api.get(f"{BASE}/tokens/validate", headers=as_django(jwt))
    assert response.status == 200, response.body
    return response.json["login"]


def test_a_person_registered_elsewhere_goes_through_every_call_the_django_client_makes(
    api: ApiClient,
) -> None:
    admin = registered_super(api)
    service_token = create_app(api, admin, name="Portal", url="https://portal.example.com", roles=["staff"])[
        "token"
    ]
    assert (
        api.post("/api/v1/register", json=registration("maria@example.com", password=PASSWORD)).status == 200
    )

    # goncord.login(request, data)
    signed_in = api.post(f"{BASE}/tokens", json={"email": "maria@example.com", "password": PASSWORD})
    assert signed_in.status == 201
    jwt = signed_in.json["jwt"]
    assert middleware_username(api, jwt) == "maria"
    # The middleware's login by the username it found works on Goncord too.
    assert api.post(f"{BASE}/tokens", json={"login": "maria", "password": PASSWORD}).status == 201

    # goncord.update_payload(request, data)
    payload = api.patch(
        f"{BASE}/resource/self_update", json={"theme": "dark"}, headers=as_django(jwt, service_token)
    )
    assert payload.status == 200
    assert payload.json["apps"] == {"https://portal.example.com": {"theme": "dark"}}

    # goncord.get_menu(request): r.ok, r.json()
    menu = api.get(f"{BASE}/menu", headers=as_django(jwt))
    assert menu.status == 200
    assert menu.json == []

    # goncord.reset_password(request, data)
    refused = api.post(
        f"{BASE}/users/change_password",
        json={"old_password": "wrong", "new_password": "a-new-secret"},
        headers=as_django(jwt),
    )
    assert (refused.status, refused.json) == (422, {"error": "Не удалось поменять пароль"})
    changed = api.post(
        f"{BASE}/users/change_password",
        json={"old_password": PASSWORD, "new_password": "a-new-secret"},
        headers=as_django(jwt),
    )
    assert changed.status == 200

    # goncord.update_user(request, data) with a service token that is not a super app's
    not_super = api.patch(f"{BASE}/users", json={"first_name": "M"}, headers=as_django(jwt, service_token))
    assert (not_super.status, not_super.json) == (403, {"error": "Недостаточно прав."})
    # ... and without GONCORD_SERVICE_TOKEN configured (the client then sends an empty one)
    unset = api.patch(f"{BASE}/users", json={"first_name": "M"}, headers=as_django(jwt, ""))
    assert (unset.status, unset.json) == (404, {"error": "Пользователь или ресурс не существуют."})

    # goncord.logout(request)
    assert api.delete(f"{BASE}/tokens", headers=as_django(jwt)).status == 204
    assert api.get(f"{BASE}/tokens/validate", headers=as_django(jwt)).status == 401


def test_the_django_client_registers_and_updates_users_with_a_super_service_token(api: ApiClient) -> None:
    admin = registered_super(api)
    service_token = create_app(api, admin, name="Portal", url="https://portal.example.com", is_super=True)[
        "token"
    ]
    # goncord.register(data)
    body = {"login": "ivan", "password": PASSWORD, "email": "ivan@example.com", "first_name": "Иван"}
    assert api.post(f"{BASE}/users", json=body).status == 201
    jwt = api.post(f"{BASE}/tokens", json={"login": "ivan", "password": PASSWORD}).json["jwt"]
    # goncord.update_user(request, data)
    updated = api.patch(
        f"{BASE}/users",
        json={"last_name": "Петров", "apps": {"https://portal.example.com": {"a": 1}, "https://gone": {}}},
        headers=as_django(jwt, service_token),
    )
    assert updated.status == 200
    assert updated.json["last_name"] == "Петров"
    assert updated.json["apps"] == {"https://portal.example.com": {"a": 1}}
    assert middleware_username(api, jwt) == "ivan"
