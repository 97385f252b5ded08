"""Surface D: /update/userpic — a real 512×512 PNG/JPEG/WebP, stored in the private bucket."""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import pytest
from PIL import Image

from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.testing import ApiClient
from tests.api.users_admin_support import Cast, cast
from tests.seeding import SeedOnce

INVALID_IMAGE = {"status": "error", "field": "upload_userpic", "message": "Invalid image"}


@pytest.fixture
def people(seeded_once: SeedOnce[Cast]) -> Cast:
    return seeded_once(cast)


def image_bytes(image_format: str, size: tuple[int, int] = (512, 512)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, format=image_format)
    return buffer.getvalue()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def upload(api: ApiClient, actor: Any, target: int, value: object) -> Any:
    return api.post(
        f"/api/v1/users/id/{target}/update/userpic", json={"upload_userpic": value}, headers=actor.auth
    )


@pytest.mark.parametrize(
    ("image_format", "extension", "content_type", "data_url"),
    [
        ("PNG", "png", "image/png", True),
        ("JPEG", "jpg", "image/jpeg", False),
        ("WEBP", "webp", "image/webp", True),
    ],
)
def test_a_real_512_square_image_is_stored_and_served_by_redirect(
    people: Cast,
    api: ApiClient,
    embedded_aws: MotoAws,
    image_format: str,
    extension: str,
    content_type: str,
    data_url: bool,
) -> None:
    raw = image_bytes(image_format)
    value = f"data:{content_type};base64,{b64(raw)}" if data_url else b64(raw)
    response = upload(api, people.user, people.user.id, value)
    assert response.status == 200, response.body
    url = response.json["user"]["userpic"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert path.startswith(f"api/v1/users/id/{people.user.id}/userpic/")
    assert path.endswith(f".{extension}")
    redirect = api.get(f"/{path}")
    assert redirect.status == 302
    location = redirect.headers["location"]
    assert "X-Amz-Signature=" in location or "Signature=" in location
    key = f"userpics/{people.user.id}/{path.rsplit('/', 1)[1]}"
    stored = embedded_aws.client("s3").get_object(Bucket=os.environ["USERPIC_BUCKET"], Key=key)
    assert stored["ContentType"] == content_type
    with Image.open(io.BytesIO(stored["Body"].read())) as kept:
        assert kept.format == image_format
        assert kept.size == (512, 512)


def test_the_documents_base64_semicolon_spelling_is_accepted(people: Cast, api: ApiClient) -> None:
    # The document's example is `"upload_userpic": "base64;..."`: a client copying it sends that head.
    response = upload(api, people.user, people.user.id, f"base64;{b64(image_bytes('PNG'))}")
    assert response.status == 200, response.body
    assert response.json["user"]["userpic"].endswith(".png")


def test_only_the_current_userpic_is_served(people: Cast, api: ApiClient) -> None:
    first = upload(api, people.user, people.user.id, b64(image_bytes("PNG"))).json["user"]["userpic"]
    upload(api, people.user, people.user.id, b64(image_bytes("JPEG")))
    old_path = "/" + first.split("://", 1)[1].split("/", 1)[1]
    response = api.get(old_path)
    assert (response.status, response.json) == (404, {"status": "error", "message": "Userpic not found"})
    bogus = api.get(f"/api/v1/users/id/{people.user.id}/userpic/..%2F..%2Fsecret.png")
    assert bogus.status == 404


def truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((512, 512), 60).convert("RGB").save(buffer, format="PNG")
    raw = buffer.getvalue()
    return raw[: len(raw) // 2]


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (512, 512)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b64(image_bytes("PNG", (256, 256))), id="wrong-size"),
        pytest.param(b64(image_bytes("PNG", (512, 513))), id="not-square"),
        pytest.param(b64(b"\x89PNG\r\n\x1a\n" + os.urandom(4000)), id="png-header-on-garbage"),
        pytest.param(b64(truncated_png()), id="truncated-png"),
        pytest.param(b64(gif()), id="gif"),
        pytest.param(b64(os.urandom(3 * 1024 * 1024)), id="oversize"),
        pytest.param("this is not base64!!", id="not-base64"),
        pytest.param("", id="empty"),
        pytest.param(12345, id="not-a-string"),
        pytest.param(None, id="missing"),
    ],
)
def test_anything_else_is_an_invalid_image_and_changes_nothing(
    people: Cast, api: ApiClient, embedded_aws: MotoAws, value: object
) -> None:
    response = upload(api, people.user, people.user.id, value)
    assert (response.status, response.json) == (422, INVALID_IMAGE)
    me = api.get("/api/v1/users/current", headers=people.user.auth).json["user"]
    assert me["userpic"] == ""
    listed = embedded_aws.client("s3").list_objects_v2(Bucket=os.environ["USERPIC_BUCKET"])
    assert listed.get("KeyCount", 0) == 0


def test_userpics_of_others_follow_the_update_rules(people: Cast, api: ApiClient) -> None:
    picture = b64(image_bytes("PNG"))
    assert upload(api, people.admin, people.user.id, picture).status == 200
    refused = upload(api, people.user, people.admin.id, picture)
    assert (refused.status, refused.json) == (403, {"status": "error", "message": "Permissions error"})
    missing = upload(api, people.super, 999, picture)
    assert (missing.status, missing.json) == (404, {"status": "error", "message": "User not found"})


def test_the_userpic_link_says_the_same_for_an_unknown_user_and_an_unknown_file(api: ApiClient) -> None:
    api.post(
        "/api/auth/register",
        json={"username": "root", "password": "12345678", "email": "root@example.com", "sex": 0, "age": 30},
    )
    file_name = "a" * 64 + ".png"
    unknown_user = api.get(f"/api/v1/users/id/999/userpic/{file_name}")
    unknown_file = api.get(f"/api/v1/users/id/1/userpic/{file_name}")
    assert unknown_user.status == unknown_file.status == 404
    assert unknown_user.json == unknown_file.json == {"status": "error", "message": "Userpic not found"}
