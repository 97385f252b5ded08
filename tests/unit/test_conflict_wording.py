"""A conflict with no words of its own (`Conflict()`) is worded by each surface's envelope."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.errors import Conflict
from gatehouse.surfaces.envelope import PLAIN, ErrorEnvelope
from gatehouse.surfaces.envelopes import documentarian, goncord, jwt_auth, org_structure, users_admin


@pytest.mark.parametrize(
    ("envelope", "body"),
    [
        (PLAIN.envelope, {"message": "Conflict."}),
        (documentarian.ENVELOPE, {"success": False, "error": {"code": 409, "message": "Conflict"}}),
        (goncord.ENVELOPE, {"errors": {"detail": "Conflict"}}),
        (jwt_auth.ENVELOPE, {"message": "The request conflicts with the current state."}),
        (org_structure.ENVELOPE, {"status": "error", "message": "Conflict"}),
        (users_admin.ENVELOPE, {"status": "error", "message": "Conflict"}),
    ],
    ids=["plain", "A", "E", "B", "C", "D"],
)
def test_a_wordless_conflict_is_a_409_in_the_surfaces_words(envelope: ErrorEnvelope, body: Any) -> None:
    assert envelope.render(Conflict()) == (409, body)
