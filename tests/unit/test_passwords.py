"""Password hashing: argon2id at OWASP's profile, legacy bcrypt verified and upgraded."""

from __future__ import annotations

from collections.abc import Iterator

import bcrypt
import pytest

from gatehouse.security import passwords
from gatehouse.security.passwords import hash_password, verify_password


@pytest.fixture(autouse=True)
def owasp_profile() -> Iterator[None]:
    """The profile every function hashes with (the rest of the suite hashes with a cheap one)."""
    cheap = passwords._profile
    passwords.use_profile(passwords.OWASP)
    yield
    passwords.use_profile(cheap)


def laravel_hash(password: str) -> str:
    """What Laravel stores: bcrypt with PHP's $2y$ prefix."""
    return "$2y$" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()[4:]


def test_new_hashes_are_argon2id_with_owasp_parameters() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password("correct horse", stored).ok
    assert not verify_password("wrong horse", stored).ok


def test_current_hashes_are_not_rehashed() -> None:
    assert verify_password("correct horse", hash_password("correct horse")).upgraded_hash is None


def test_a_hash_of_another_argon2_profile_is_rehashed_with_todays_at_sign_in() -> None:
    weaker = passwords.Argon2Profile(memory_cost=64, time_cost=1, parallelism=1)
    passwords.use_profile(weaker)
    stored = hash_password("correct horse")
    passwords.use_profile(passwords.OWASP)
    result = verify_password("correct horse", stored)
    assert result.ok
    assert result.upgraded_hash is not None
    assert result.upgraded_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_unknown_account_is_checked_against_a_hash_of_todays_profile() -> None:
    assert passwords._dummy_hash().startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    passwords.use_profile(passwords.Argon2Profile(memory_cost=64, time_cost=1, parallelism=1))
    assert passwords._dummy_hash().startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert not verify_password("anything", None).ok


def test_laravel_2y_bcrypt_hashes_verify_and_come_back_upgraded() -> None:
    result = verify_password("secret-123", laravel_hash("secret-123"))
    assert result.ok
    assert result.upgraded_hash is not None
    assert result.upgraded_hash.startswith("$argon2id$")
    assert verify_password("secret-123", result.upgraded_hash).ok


def test_2b_bcrypt_hashes_verify_and_wrong_passwords_do_not() -> None:
    stored = bcrypt.hashpw(b"secret-123", bcrypt.gensalt(rounds=4)).decode()
    assert verify_password("secret-123", stored).ok
    wrong = verify_password("secret-124", stored)
    assert not wrong.ok
    assert wrong.upgraded_hash is None


def test_missing_or_corrupt_stored_hashes_fail_without_raising() -> None:
    assert not verify_password("anything", None).ok
    assert not verify_password("anything", "not-a-hash").ok


def test_an_imported_bcrypt_hash_of_a_long_password_verifies_its_first_72_bytes_as_php_did() -> None:
    password = "п" * 50  # 100 UTF-8 bytes: PHP's password_hash kept the first 72
    laravel = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode().replace("$2b$", "$2y$", 1)
    checked = verify_password(password, laravel)
    assert checked.ok
    assert checked.upgraded_hash is not None
    assert verify_password(password, checked.upgraded_hash).ok  # the whole password, with argon2id
    assert not verify_password(password[:36], checked.upgraded_hash).ok
    assert not verify_password("x" + "п" * 49, laravel).ok
