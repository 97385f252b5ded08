"""The layer's bulk-load writes: counters advanced as a max, a row all-or-nothing with its marker."""

from __future__ import annotations

import pytest

from gatehouse_local.embedded_aws import MotoAws

pytestmark = pytest.mark.usefixtures("embedded_aws")


def test_advancing_a_counter_only_ever_raises_it() -> None:
    from gatehouse.data import counters

    counters.advance("user", 40)
    counters.advance("user", 10)
    assert counters.current("user") == 40
    assert counters.next_id("user") == 41
    counters.advance("user", 41)
    counters.advance("user", 100)
    assert counters.next_id("user") == 101


def test_a_row_whose_email_is_taken_writes_neither_the_user_nor_the_marker_nor_a_claim() -> None:
    from gatehouse.data import imports, users
    from gatehouse.data.models import UserItem

    def user(user_id: int, login: str) -> UserItem:
        return UserItem.new(
            user_id, email="x@example.com", login=login, password_hash="!", created_at="t", updated_at="t"
        )

    first = imports.new_marker("B", "1", 1, "created", "t")
    imports.create_user(user(1, "first"), [("email", "x@example.com"), ("login", "first")], first)
    second = imports.new_marker("B", "2", 2, "created", "t")
    with pytest.raises(imports.RowTaken) as taken:
        imports.create_user(user(2, "second"), [("email", "x@example.com"), ("login", "second")], second)
    assert taken.value.kinds == {"email"}
    assert users.get(2) is None
    assert users.owner_of("login", "second") is None
    assert set(imports.markers("B", ["1", "2"])) == {"1"}
    with pytest.raises(imports.RowTaken) as again:
        imports.create_user(user(3, "third"), [("email", "y@example.com"), ("login", "third")], first)
    assert again.value.kinds == {"marker"}
    assert users.get(3) is None


def test_attaching_a_row_to_a_user_is_recorded_once(embedded_aws: MotoAws) -> None:
    from gatehouse.data import imports, users
    from gatehouse.data.models import UserItem

    owner = UserItem.new(
        5, email="m@example.com", login="m", password_hash="!", created_at="t", updated_at="t"
    )
    imports.create_user(owner, [("email", "m@example.com")], imports.new_marker("B", "5", 5, "created", "t"))
    imports.attach(owner, {"telegram": "@m"}, imports.new_marker("E", "9", 5, "merged", "t"))
    stored = users.get(5)
    assert stored is not None
    assert stored.telegram == "@m"
    with pytest.raises(imports.RowTaken):
        imports.attach(owner, {"viber": "+1"}, imports.new_marker("E", "9", 5, "merged", "t"))
    stored = users.get(5)
    assert stored is not None
    assert stored.viber is None
    assert imports.owners("email", ["m@example.com", "none@example.com"]) == {"m@example.com": 5}


def test_only_hashes_sign_in_can_check_are_kept() -> None:
    from gatehouse.services.imports import usable_hash

    assert usable_hash("$2y$10$LE4h1ieBbHitWIya07pL8O.NegZtDouF8SuuO5GRsc/eQ/6mC/Cse")
    assert usable_hash(
        "$argon2id$v=19$m=19456,t=2,p=1$Ucr531sLoVQqBUAIYWzt3Q$/NReY86RcEynlc9s6LWxOCchE5L/kFsDhHT2rEus6z0"
    )
    for unknown in ("5f4dcc3b5aa765d61d8327deb882cf99", "plain", "", None, "$1$salt$hash", "!"):
        assert usable_hash(unknown) is None


def test_a_block_of_ids_is_drawn_with_one_add() -> None:
    from gatehouse.data import counters

    assert counters.next_ids("user", 3) == range(1, 4)
    assert counters.next_id("user") == 4
    assert counters.next_ids("user", 20) == range(5, 25)


def test_users_written_together_are_all_or_nothing() -> None:
    from gatehouse.data import imports, users
    from gatehouse.data.models import UserItem

    def row(user_id: int, email: str) -> tuple[UserItem, list[tuple[str, str]], imports.ImportMarkerItem]:
        user = UserItem.new(
            user_id, email=email, login=f"u{user_id}", password_hash="!", created_at="t", updated_at="t"
        )
        claims = [("email", email), ("login", f"u{user_id}")]
        return user, claims, imports.new_marker("B", str(user_id), user_id, "created", "t")

    assert imports.create_users([row(1, "a@example.com"), row(2, "b@example.com")])
    assert users.owner_of("email", "b@example.com") == 2
    # The third's email is the first's: nothing of the batch is written.
    assert not imports.create_users([row(3, "c@example.com"), row(4, "a@example.com")])
    assert users.get(3) is None
    assert users.get(4) is None
    assert users.owner_of("email", "c@example.com") is None
    assert set(imports.markers("B", ["1", "2", "3", "4"])) == {"1", "2"}
