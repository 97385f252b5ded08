"""`make bench` section "write keys": does any write path concentrate on one partition key?

Through the real handlers against the embedded DynamoDB, 1,000 mixed requests (sign-ups,
sign-ins on A, B, C and E, failed sign-ins, B refreshes and logouts, B `/me`, D `current`,
E `validate`, D user updates, C organization creates, D log reads) from WRITE_CLIENTS
users, each on its own client address. Every write a handler makes is recorded with the
partition keys it writes: the table's PK, and each GSI's PK the item carries before
and after the write (PutItem, UpdateItem, DeleteItem, and each item of TransactWriteItems
and BatchWriteItem; a write that changes or removes an index key writes the old partition
too). The figure is the largest share of those key writes that any one *shared* key takes.

A key is *per-principal* (exempt) when it names one user, one session or refresh family, one
claimed value, one client's counter, or one event or message: `PER_PRINCIPAL` below lists the
patterns. Every other key (an audit shard `AUDIT#SHARD#{nn}`, `USERS`, a counter, an organization's or
a group's partition) is shared and counts against the goal (≤ 5 %).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import random
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.client

from bench.figures import Figure, Progress, section_main

SECTION = "write keys"
REQUESTS = int(os.environ.get("WRITE_KEYS_REQUESTS", "1000"))
WRITE_CLIENTS = 60
THREADS = int(
    os.environ.get("WRITE_KEYS_THREADS", "4")
)  # requests in flight at once (the harness is thread-safe)
PASSWORD = "bench-password-1"
SHARE_GOAL_PERCENT = 5.0
GSI_KEYS = ("GSI1PK", "GSI2PK", "GSI3PK", "GSI4PK")

# Keys of one user, session, claimed value, client or event: never shared between principals.
PER_PRINCIPAL = [
    re.compile(pattern)
    for pattern in (
        r"^USER#\d+(#.*)?$",  # a user's item, their SEEN item, their sessions and metadata
        r"^AUDIT#USER#\d+$",  # a user's audit trail (GSI2)
        r"^AUDIT#DEVICE#.+$",  # a device's audit trail (GSI4)
        r"^AUDIT#[0-9a-f]{32}$",  # one audit event's own item
        r"^SESSION#.+$",  # one session (token)
        r"^FAMILY#.+$",  # one refresh family (GSI2)
        r"^UNIQUE#.+$",  # one claimed email, login, ...
        r"^RATE#.+$",  # one client's requests in one window
        r"^LOCKOUT#.+$",  # one account's (and client's) failures
        r"^(OUTBOX|MAIL|TOKEN|LINK|OTT)#.+$",  # one message or one-time token
    )
]
AUDIT_SHARDS = 16  # gatehouse.data.audit.AUDIT_SHARDS (imported late: settings read at import)
AUDIT_SHARD = re.compile(r"^GSI1:AUDIT#SHARD#\d{2}$")
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


def per_principal(key: str) -> bool:
    return any(pattern.match(key) for pattern in PER_PRINCIPAL)


class WriteKeyRecorder:
    """Counts, for every DynamoDB write a function's handler makes, each partition key written
    (`table:PK`, `GSI1:GSI1PK`, ...).

    An item's index keys come from the write itself: a Put's item, and the item before (a Put's
    or Delete's `ALL_OLD`) or after (an Update's `ALL_NEW`) asked of DynamoDB in the same call
    and taken out of the answer the handler sees. Only when that cannot tell (an update naming
    an index key, a transaction's or batch's update or delete) are the items read (not counted).
    """

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.writes = 0
        self._lock = threading.Lock()

    def count(self, table_key: str, *items: dict[str, Any]) -> None:
        with self._lock:
            self.writes += 1
            self.keys[f"table:{table_key}"] += 1
            for name in GSI_KEYS:
                for value in {item[name]["S"] for item in items if name in item}:
                    self.keys[f"{name[:4]}:{value}"] += 1

    @contextmanager
    def installed(self) -> Iterator[None]:
        from gatehouse_local.lambda_runtime import current_function

        original = botocore.client.BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation: str, params: Any) -> Any:
            if (
                operation not in WRITES
                or client.meta.service_model.service_name != "dynamodb"
                or current_function.get() is None
            ):
                return original(client, operation, params)

            def read(table: str, key: dict[str, Any]) -> dict[str, Any]:
                found: dict[str, Any] = original(
                    client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}
                ).get("Item", {})
                return found

            return _record(recorder, original, client, operation, params, read)

        botocore.client.BaseClient._make_api_call = recording
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original


def _record(
    recorder: WriteKeyRecorder,
    original: Callable[..., Any],
    client: Any,
    operation: str,
    params: dict[str, Any],
    read: Callable[[str, dict[str, Any]], dict[str, Any]],
) -> Any:
    wanted = params.get("ReturnValues", "NONE")

    def call_returning(values: str) -> tuple[Any, dict[str, Any]]:
        if wanted not in ("NONE", values):
            answer = original(client, operation, params)
            return answer, read(params["TableName"], params["Key"]) if operation == "UpdateItem" else {}
        answer = original(client, operation, {**params, "ReturnValues": values})
        attributes: dict[str, Any] = answer.get("Attributes", {})
        if wanted == "NONE":
            answer = {name: value for name, value in answer.items() if name != "Attributes"}
        return answer, attributes

    if operation == "PutItem":
        answer, old = call_returning("ALL_OLD")
        recorder.count(params["Item"]["PK"]["S"], params["Item"], old)
        return answer
    if operation == "DeleteItem":
        answer, old = call_returning("ALL_OLD")
        if old:
            recorder.count(params["Key"]["PK"]["S"], old)
        return answer
    if operation == "UpdateItem":
        names = set(params.get("ExpressionAttributeNames", {}).values())
        moves_index_key = any(name in names for name in GSI_KEYS)
        before = read(params["TableName"], params["Key"]) if moves_index_key else {}
        answer, new = call_returning("ALL_NEW")
        recorder.count(params["Key"]["PK"]["S"], before, new)
        return answer
    targets = _targets(operation, params)
    # An update's old index keys matter only when it names one (it may move the item).
    olds = [read(t.table, t.key) if t.kind == "delete" or t.moves_index_key else {} for t in targets]
    answer = original(client, operation, params)
    for target, old in zip(targets, olds, strict=True):
        if target.kind == "put":
            recorder.count(target.key["PK"]["S"], target.item)
        elif target.kind == "update":
            recorder.count(target.key["PK"]["S"], old, read(target.table, target.key))
        elif old:
            recorder.count(target.key["PK"]["S"], old)
    return answer


@dataclass(frozen=True)
class Target:
    """One item a transaction or a batch writes."""

    kind: str  # put, update, delete
    table: str
    key: dict[str, Any]
    item: dict[str, Any]  # a put's item
    moves_index_key: bool = False


def _names_index_key(operation: dict[str, Any]) -> bool:
    return any(name in GSI_KEYS for name in operation.get("ExpressionAttributeNames", {}).values())


def _targets(operation: str, params: dict[str, Any]) -> list[Target]:
    def key_of(item: dict[str, Any]) -> dict[str, Any]:
        return {"PK": item["PK"], "SK": item["SK"]}

    found: list[Target] = []
    if operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            if "Put" in entry:
                put = entry["Put"]
                found.append(Target("put", put["TableName"], key_of(put["Item"]), put["Item"]))
            if "Update" in entry:
                update = entry["Update"]
                found.append(
                    Target("update", update["TableName"], update["Key"], {}, _names_index_key(update))
                )
            if "Delete" in entry:
                found.append(Target("delete", entry["Delete"]["TableName"], entry["Delete"]["Key"], {}))
        return found
    for table_name, requests in params["RequestItems"].items():  # BatchWriteItem
        for request in requests:
            if "PutRequest" in request:
                item = request["PutRequest"]["Item"]
                found.append(Target("put", table_name, key_of(item), item))
            else:
                found.append(Target("delete", table_name, request["DeleteRequest"]["Key"], {}))
    return found


class Mix:
    """The 1,000 requests, each from its user's own client address."""

    READS = ("/api/auth/me", "/api/v1/users/current", "/api/v0/tokens/validate")

    def __init__(self, api: Any, root_token: str, seeded: list[tuple[int, str, str]]) -> None:
        from gatehouse_local.testing import bearer

        self.api = api
        self.bearer = bearer
        self.root = bearer(root_token)
        self.people = [(user_id, email) for user_id, email, _ in seeded]
        self.tokens = {user_id: token for user_id, _, token in seeded}  # user id -> a current B token
        self.random = random.Random(13)
        self.lock = threading.Lock()
        self.new_users = 0

    @staticmethod
    def ip(user_id: int) -> str:
        return f"10.{user_id >> 16 & 255}.{user_id >> 8 & 255}.{user_id & 255}"

    def someone(self) -> tuple[int, str]:
        with self.lock:
            return self.random.choice(self.people)

    def signed_in(self) -> tuple[int, str]:
        with self.lock:
            user_id = self.random.choice(list(self.tokens))
            return user_id, self.tokens[user_id]

    def sign_up(self) -> None:
        with self.lock:
            self.new_users += 1
            name = f"newcomer{self.new_users}"
        body = {"username": name, "password": PASSWORD, "email": f"{name}@example.com", "sex": 0, "age": 30}
        self.api.post(
            "/api/auth/register", json=body, source_ip=f"10.200.{self.new_users >> 8}.{self.new_users & 255}"
        )

    def sign_in(self, surface: str) -> None:
        user_id, email = self.someone()
        ip = self.ip(user_id)
        if surface == "A":
            self.api.post("/api/v1/login", json={"email": email, "password": PASSWORD}, source_ip=ip)
        elif surface == "B":
            answer = self.api.post(
                "/api/auth/login", json={"email": email, "password": PASSWORD}, source_ip=ip
            )
            if answer.status == 200:
                with self.lock:
                    self.tokens[user_id] = answer.json["access_token"]
        elif surface == "C":
            body = {"email": email, "password": PASSWORD, "device_name": "bench"}
            self.api.post("/api/login", json=body, source_ip=ip)
        else:
            self.api.post("/api/v0/tokens", json={"email": email, "password": PASSWORD}, source_ip=ip)

    def failed_sign_in(self) -> None:
        user_id, email = self.someone()
        self.api.post(
            "/api/auth/login", json={"email": email, "password": "wrong"}, source_ip=self.ip(user_id)
        )

    def refresh(self) -> None:
        user_id, token = self.signed_in()
        answer = self.api.post("/api/auth/refresh", headers=self.bearer(token), source_ip=self.ip(user_id))
        if answer.status == 200:
            with self.lock:
                self.tokens[user_id] = answer.json["access_token"]

    def logout(self) -> None:
        user_id, token = self.signed_in()
        with self.lock:
            if len(self.tokens) < 2 or self.tokens.get(user_id) != token:
                return self.read("/api/auth/me")
            del self.tokens[user_id]
        self.api.post("/api/auth/logout", headers=self.bearer(token), source_ip=self.ip(user_id))
        return None

    def read(self, path: str) -> None:
        user_id, token = self.signed_in()
        self.api.get(path, headers=self.bearer(token), source_ip=self.ip(user_id))

    def d_update(self) -> None:
        user_id, _ = self.someone()
        body = {"last_name": f"L{self.random.randrange(10**6)}"}
        self.api.post(
            f"/api/v1/users/id/{user_id}/update", json=body, headers=self.root, source_ip="10.250.0.1"
        )

    def c_create(self) -> None:
        body = {"name": f"Bench org {self.random.randrange(10**9)}"}
        self.api.post("/api/organizations", json=body, headers=self.root, source_ip="10.250.0.1")

    def d_logs(self) -> None:
        self.api.get("/api/v1/logs/list/filtered", headers=self.root, source_ip="10.250.0.1")

    def plan(self) -> list[Callable[[], None]]:
        """The 1,000 requests, shuffled: few argon2 ones (sign-ups and sign-ins cost ~25 ms of
        hashing each), many token uses."""
        steps: list[Callable[[], None]] = []
        steps += [self.sign_up] * 20
        steps += [functools.partial(self.sign_in, surface) for surface in "ABCE" for _ in range(12)]
        steps += [self.failed_sign_in] * 12
        steps += [self.refresh] * 120
        steps += [self.logout] * 40
        steps += [self.d_update] * 80
        steps += [self.c_create] * 30
        steps += [self.d_logs] * 10
        reads = REQUESTS - len(steps)
        steps += [functools.partial(self.read, self.READS[n % len(self.READS)]) for n in range(reads)]
        self.random.shuffle(steps)
        return steps


def run(progress: Progress) -> list[Figure]:
    from bench.harness import in_process_aws
    from gatehouse_local.template import load_template, routes
    from gatehouse_local.testing import ApiClient

    logging.getLogger("mangum").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="gatehouse-bench-write-keys-") as work_dir,
        in_process_aws(Path(work_dir)),
        contextlib.redirect_stdout(io.StringIO()),  # the functions' metric lines (EMF) go to stdout
    ):
        os.environ["LOG_LEVEL"] = "WARNING"
        logging.getLogger("gatehouse").setLevel(logging.WARNING)
        api = ApiClient(routes(load_template()), deliver_mail=False)
        progress(f"{SECTION}: seeding {WRITE_CLIENTS} users and their B tokens through the services")
        root, seeded = _seed()
        mix = Mix(api, root, seeded)
        steps = mix.plan()
        recorder = WriteKeyRecorder()
        progress(f"{SECTION}: {len(steps)} mixed requests ({THREADS} at a time), recording written keys")
        done = 0
        with recorder.installed(), ThreadPoolExecutor(THREADS) as pool:
            for _ in pool.map(lambda step: step(), steps):
                done += 1
                if done % 250 == 0:
                    progress(f"{SECTION}: {done} requests")
    return figures(recorder, progress)


def _seed() -> tuple[str, list[tuple[int, str, str]]]:
    """The super (the first user) and WRITE_CLIENTS users with a B token each, through the
    services, hashing the password once (not once per user)."""
    from gatehouse.security import passwords
    from gatehouse.security.tokens import JWT_AUTH
    from gatehouse.services import accounts, sessions
    from gatehouse.surfaces import jwt_auth

    hashed = passwords.hash_password(PASSWORD)
    with mock.patch.object(accounts, "hash_password", return_value=hashed):
        people = [
            accounts.register(email=f"user{n}@example.com", password=PASSWORD)
            for n in range(WRITE_CLIENTS + 1)
        ]
    tokens = [
        sessions.start(user, JWT_AUTH, extra_claims=jwt_auth.custom_claims(user)).token for user in people
    ]
    return tokens[0], [
        (user.id, user.email, token) for user, token in zip(people[1:], tokens[1:], strict=True)
    ]


def figures(recorder: WriteKeyRecorder, progress: Progress) -> list[Figure]:
    total = sum(recorder.keys.values())
    shared = [
        (key, count) for key, count in recorder.keys.most_common() if not per_principal(key.split(":", 1)[1])
    ]
    top_shared = shared[:5]
    progress(
        f"{SECTION}: {recorder.writes} item writes, {total} partition-key writes, {len(recorder.keys)} keys"
    )
    for key, count in recorder.keys.most_common(5):
        progress(f"{SECTION}:   top key {key}: {count} ({100 * count / total:.2f} %)")
    for key, count in top_shared:
        progress(f"{SECTION}:   top shared key {key}: {count} ({100 * count / total:.2f} %)")
    worst = 100 * top_shared[0][1] / total if top_shared else 0.0
    # What one unsharded audit key would have taken: the shard keys together.
    audit_all = sum(count for key, count in recorder.keys.items() if AUDIT_SHARD.match(key))
    progress(f"{SECTION}:   the {AUDIT_SHARDS} audit shard keys together: {100 * audit_all / total:.2f} %")
    return [
        Figure(
            SECTION,
            f"max write share of a shared key ({top_shared[0][0] if top_shared else '-'})",
            round(worst, 2),
            "%",
            at_most=SHARE_GOAL_PERCENT,
        ),
        Figure(
            SECTION,
            "audit shard keys together (one key unsharded)",
            round(100 * audit_all / total, 2),
            "%",
        ),
    ]


if __name__ == "__main__":
    section_main(run)
