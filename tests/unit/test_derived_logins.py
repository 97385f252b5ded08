"""Every user has a login: one derived from the email when the surface that created them has none."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import botocore.client
import pytest

from gatehouse.errors import Conflict, ValidationFailed
from gatehouse.services import accounts


@contextmanager
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The DynamoDB operations made inside the block, in order."""
    made: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(client: Any, operation: str, params: Any) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            made.append(operation)
        return original(client, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
        yield made


@pytest.mark.parametrize(
    ("email", "login"),
    [
        ("anna@example.com", "anna"),
        ("John.Smith@Example.com", "john.smith"),
        ("boris+newsletter@example.com", "boris"),
        ("o'neil!#$%&*/=?^`{|}~@example.com", "oneil"),
        ('"carl d"@example.com', "carld"),
        ("Иван.Петров@example.ru", "иван.петров"),
        ("ｆｕｌｌ@example.com", "full"),
        ("ab@example.com", "user_ab"),
        ("_.-@example.com", "user"),
        ("x" * 100 + "@example.com", "x" * 64),
    ],
)
def test_the_first_candidate_is_the_local_part_kept_to_what_a_login_accepts(email: str, login: str) -> None:
    assert next(accounts.derived_logins(email, 7)) == login


def test_later_candidates_add_the_user_id_then_random_suffixes() -> None:
    candidates = list(accounts.derived_logins("anna@example.com", 7))
    assert candidates[:2] == ["anna", "anna_7"]
    assert len(candidates) == 4
    assert all(c.startswith("anna_") and len(c) == len("anna_") + 8 for c in candidates[2:])


def test_a_user_registered_without_a_login_signs_in_with_the_derived_one(embedded_aws: Any) -> None:
    user = accounts.register(email="Anna.K@example.com", password="password-1")
    assert user.login == "anna.k"
    assert accounts.sign_in("anna.k", "password-1").id == user.id


def test_a_taken_derived_login_gets_the_id_suffix_instead_of_an_error(embedded_aws: Any) -> None:
    chosen = accounts.register(email="first@example.com", password="password-1", login="Anna")
    derived = accounts.register(email="anna@example.org", password="password-1")
    assert derived.login == f"anna_{derived.id}"
    assert accounts.sign_in(derived.login, "password-1").id == derived.id
    assert accounts.sign_in("anna", "password-1").id == chosen.id


def test_a_taken_email_is_reported_on_the_email_field_only(embedded_aws: Any) -> None:
    accounts.register(email="anna@example.com", password="password-1")
    with pytest.raises(ValidationFailed) as refused:
        accounts.register(email="ANNA@example.com", password="password-1", field_names={"email": "mail"})
    assert [(v.field, v.rule) for v in refused.value.violations] == [("mail", "unique")]


def test_a_chosen_login_that_is_taken_is_still_a_validation_error(embedded_aws: Any) -> None:
    accounts.register(email="anna@example.com", password="password-1")
    with pytest.raises(ValidationFailed) as refused:
        accounts.register(email="other@example.com", password="password-1", login="anna")
    assert [(v.field, v.rule) for v in refused.value.violations] == [("login", "unique")]


def test_concurrent_registrations_with_one_local_part_all_get_distinct_logins(embedded_aws: Any) -> None:
    def sign_up(n: int) -> str | None:
        return accounts.register(email=f"same@domain{n}.example", password="password-1").login

    with ThreadPoolExecutor(max_workers=8) as pool:
        logins = list(pool.map(sign_up, range(12)))
    assert len(set(logins)) == 12
    assert "same" in logins
    for login in logins:
        assert login is not None
        assert accounts.sign_in(login, "password-1").login == login


def test_a_collision_costs_one_more_transaction_per_candidate(
    embedded_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.register(email="root@example.com", password="password-1", login="anna")
    with dynamodb_calls(monkeypatch) as made:
        accounts.register(email="anna@example.com", password="password-1")
    assert made.count("TransactWriteItems") == 2
    assert len(made) <= 5  # id, super hint, two transactions, user count


def test_when_every_candidate_is_taken_registration_is_a_conflict_and_bounded(
    embedded_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("secrets.token_hex", lambda _: "0badc0de")
    accounts.register(email="root@example.com", password="password-1", login="anna")
    accounts.register(email="x1@example.com", password="password-1", login="anna_4")  # the next user's id
    accounts.register(email="x2@example.com", password="password-1", login="anna_0badc0de")
    with dynamodb_calls(monkeypatch) as made, pytest.raises(Conflict):
        accounts.register(email="anna@example.com", password="password-1")
    assert made.count("TransactWriteItems") == 4
