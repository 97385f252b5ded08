"""Uniqueness holds under concurrent requests: conditional writes, not read-then-write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.testing import ApiClient

REQUESTS = 20


def table_items(aws: MotoAws) -> list[dict[str, Any]]:
    """Every item in the table (a test may Scan; request paths never do)."""
    client = aws.client("dynamodb")
    table = client.list_tables()["TableNames"][0]
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def entities(aws: MotoAws, entity: str) -> list[dict[str, Any]]:
    return [item for item in table_items(aws) if item["entity"]["S"] == entity]


def test_simultaneous_sign_ups_with_one_email_create_exactly_one_user(
    api: ApiClient, embedded_aws: MotoAws
) -> None:
    def sign_up(n: int) -> int:
        body = {
            "username": f"racer{n}",
            "password": "12345678",
            "email": "same@example.com",
            "sex": 1,
            "age": 30,
        }
        return api.post("/api/auth/register", json=body).status

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(sign_up, range(REQUESTS)))

    assert sorted(statuses) == [200] + [422] * (REQUESTS - 1)
    users = entities(embedded_aws, "user")
    assert len(users) == 1
    claims = {item["PK"]["S"] for item in entities(embedded_aws, "unique")}
    winner = users[0]["login"]["S"]
    # No orphan claims: only the winner's email, login and (first user) super claim exist.
    assert claims == {"UNIQUE#email#same@example.com", f"UNIQUE#login#{winner}", "UNIQUE#role#super"}


def test_simultaneous_sign_ups_with_distinct_emails_all_succeed_with_distinct_ids(
    api: ApiClient, embedded_aws: MotoAws
) -> None:
    def sign_up(n: int) -> int:
        body = {
            "username": f"user{n}",
            "password": "12345678",
            "email": f"u{n}@example.com",
            "sex": 0,
            "age": 20,
        }
        return api.post("/api/auth/register", json=body).status

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(sign_up, range(REQUESTS)))

    assert statuses == [200] * REQUESTS
    users = entities(embedded_aws, "user")
    assert sorted(int(u["id"]["N"]) for u in users) == list(range(1, REQUESTS + 1))
    assert [u["role"]["S"] for u in users].count("super") == 1


def test_simultaneous_refreshes_of_one_token_all_get_the_one_new_token(api: ApiClient) -> None:
    body = {"username": "solo", "password": "12345678", "email": "solo@example.com", "sex": 0, "age": 20}
    api.post("/api/auth/register", json=body)
    token = api.post("/api/auth/login", json={"email": "solo@example.com", "password": "12345678"}).json[
        "access_token"
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda _: api.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"}),
                range(8),
            )
        )
    # A client's concurrent retries fall in the grace window: one successor, handed to each.
    assert [answer.status for answer in answers] == [200] * 8
    assert len({answer.json["access_token"] for answer in answers}) == 1
