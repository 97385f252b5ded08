"""A warm request reads its token once: the rate limit and the route share one principal, PyJWT
decodes a token the first time the container sees it, and a client's next requests with the same
token reuse that verdict (revocation is still read from the store on each)."""

from __future__ import annotations

from gatehouse.security import tokens
from gatehouse_local.testing import ApiClient, bearer

PASSWORD = "correct-horse-1"


def _tokens(api: ApiClient) -> dict[str, str]:
    body = {"username": "root", "password": PASSWORD, "email": "root@example.com", "sex": 0, "age": 40}
    assert api.post("/api/auth/register", json=body).status == 200
    credentials = {"email": "root@example.com", "password": PASSWORD}
    return {
        "b": api.post("/api/auth/login", json=credentials).json["access_token"],
        "a": api.post("/api/v1/login", json=credentials).json["data"]["token"],
        "e": api.post("/api/v0/tokens", json=credentials).json["jwt"],
    }


HOT_ROUTES = [
    ("/api/auth/me", "b"),  # B: rate limited, so the limit and the route both need the caller
    ("/api/v0/tokens/validate", "e"),
    ("/api/v1/user", "a"),
    ("/api/organizations", "b"),
    ("/api/users", "b"),
    ("/api/v1/users/current", "b"),
    ("/api/v1/users/list", "b"),
    ("/api/v1/groups", "b"),
    ("/api/v1/logs/list/filtered", "b"),
]


def test_each_hot_route_decodes_a_new_token_once_and_a_known_one_not_again(
    api: ApiClient, pyjwt_decodes: list[str]
) -> None:
    signed = _tokens(api)
    for path, surface in HOT_ROUTES:
        tokens.verified_tokens.clear()
        pyjwt_decodes.clear()
        answer = api.get(path, headers=bearer(signed[surface]))
        assert answer.status == 200, (path, answer.body)
        assert pyjwt_decodes == [signed[surface]], path
        pyjwt_decodes.clear()
        assert api.get(path, headers=bearer(signed[surface])).status == 200
        assert pyjwt_decodes == [], path


def test_a_revoked_token_is_refused_although_its_signature_was_verified_before(
    api: ApiClient, pyjwt_decodes: list[str]
) -> None:
    signed = _tokens(api)
    assert api.get("/api/auth/me", headers=bearer(signed["b"])).status == 200
    assert api.post("/api/auth/logout", headers=bearer(signed["b"])).status == 200
    assert api.get("/api/auth/me", headers=bearer(signed["b"])).status == 401


def test_a_tampered_token_is_decoded_and_refused_every_time(api: ApiClient, pyjwt_decodes: list[str]) -> None:
    signed = _tokens(api)
    header, payload, signature = signed["b"].split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    for _ in range(2):
        assert api.get("/api/auth/me", headers=bearer(tampered)).status == 401
    assert pyjwt_decodes.count(tampered) == 2
