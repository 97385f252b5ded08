"""Userpics (surface D): a base64 512×512 PNG/JPEG/WebP, decoded and checked, stored in S3.

What is stored is never the uploaded file but its pixels encoded afresh, in the format it came
in (PNG stays PNG, JPEG and WebP at quality 90), as RGB, or RGBA when the picture has alpha:
EXIF (GPS positions, camera serials), ICC profiles, text chunks, comments and any bytes after
the image's end (a polyglot's script or archive) are gone.

The bucket is private. A user's `userpic` is a Gatehouse URL,
`{base}/api/v1/users/id/{id}/userpic/{sha256}.{ext}`, which answers a redirect to a
short-lived presigned S3 URL while that picture is the user's current one. Pillow is
imported by the first upload and the S3 client made on first use, so neither costs a cold start
(Pillow ships with UsersAdminFunction only: functions/users_admin/requirements.txt).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session

from gatehouse import snapstart
from gatehouse.contracts.users_admin import USERPIC_FIELD
from gatehouse.data import users
from gatehouse.data.models import UserItem
from gatehouse.errors import NotFound, ValidationFailed
from gatehouse.services import accounts, audit, users_admin_users
from gatehouse.settings import get_settings

if TYPE_CHECKING:
    from PIL.Image import Image as PillowImage

_settings = get_settings()


@cache
def _s3() -> Any:
    """One S3 client per container, made on first use (like PynamoDB's connection, so the
    endpoint configured by then is the one it talks to)."""
    return botocore.session.get_session().create_client("s3", region_name=_settings.aws_region)


# A copy restored from a SnapStart snapshot makes its own S3 client.
snapstart.after_restore(_s3.cache_clear)


SIDE_PIXELS = 512
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# base64 carries 3 bytes in 4 characters; anything longer cannot decode under the cap.
MAX_ENCODED_CHARS = (MAX_IMAGE_BYTES + 2) // 3 * 4
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
PRESIGNED_SECONDS = 300
# A data URL's head, or the document's own example spelling (`"upload_userpic": "base64;..."`).
_PREFIX = re.compile(r"^(?:data:image/[a-z0-9.+-]+;base64,|base64[;,])", re.IGNORECASE)
_FILE_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp)$")


class _InvalidImage(Exception):
    pass


def decode(upload: object) -> tuple[bytes, str, str]:
    """The re-encoded image bytes, extension and content type of a valid upload; "Invalid image" otherwise.

    Accepts `data:image/...;base64,` URLs, the document's `base64;...` and bare base64. The image is fully decoded, so a
    PNG header on other bytes is refused; only the pixels' real format and size count.
    """
    try:
        return _decode(upload)
    except _InvalidImage:
        raise ValidationFailed.single(USERPIC_FIELD, "image") from None


def _decode(upload: object) -> tuple[bytes, str, str]:
    if not isinstance(upload, str):
        raise _InvalidImage()
    text = _PREFIX.sub("", upload.strip(), count=1)
    text = "".join(text.split())
    if not text or len(text) > MAX_ENCODED_CHARS:
        raise _InvalidImage()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _InvalidImage() from None
    if not raw or len(raw) > MAX_IMAGE_BYTES:
        raise _InvalidImage()
    from PIL import Image  # the first upload loads Pillow (see the module's docstring)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=list(FORMATS)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(raw), formats=list(FORMATS)) as image:
                if image.size != (SIDE_PIXELS, SIDE_PIXELS) or image.format not in FORMATS:
                    raise _InvalidImage()
                image.load()
                extension, content_type = FORMATS[image.format]
                clean = _reencoded(image, image.format)
    except _InvalidImage:
        raise
    except Exception:  # Pillow raises many types for corrupt data; all mean the same to the client
        raise _InvalidImage() from None
    return clean, extension, content_type


REENCODE_QUALITY = 90


def _reencoded(image: PillowImage, image_format: str) -> bytes:
    """The pixels alone, in a new file of `image_format`: no metadata, no trailing bytes."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
    pixels = image.convert(mode)
    # A new image from raw pixels carries none of the original's `info` (exif, icc_profile, ...).
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    buffer = io.BytesIO()
    options: dict[str, Any] = {} if image_format == "PNG" else {"quality": REENCODE_QUALITY}
    bare.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def object_key(user_id: int, file_name: str) -> str:
    return f"userpics/{user_id}/{file_name}"


def public_path(user_id: int, file_name: str) -> str:
    return f"/api/v1/users/id/{user_id}/userpic/{file_name}"


def replace(actor: UserItem, target_id: int, upload: object, base_url: str) -> UserItem:
    """Check the upload, store it, point the user's `userpic` at it and record the update."""
    target = users_admin_users.userpic_target(actor, target_id)
    raw, extension, content_type = decode(upload)
    file_name = f"{hashlib.sha256(raw).hexdigest()}.{extension}"
    _s3().put_object(
        Bucket=_settings.userpic_bucket,
        Key=object_key(target.id, file_name),
        Body=raw,
        ContentType=content_type,
        CacheControl="private, max-age=86400, immutable",
    )
    accounts.update(target, {"userpic": f"{base_url}{public_path(target.id, file_name)}"})
    audit.record(
        "user.update", actor=actor, target_type="user", target_id=target.id, details={"fields": "userpic"}
    )
    return target


def presigned_url(user_id: int, file_name: str) -> str:
    """Where the user's current userpic can be fetched for a few minutes; 404 for any other file.

    The link needs no token (an <img> cannot send one); its name is the picture's SHA-256, and an
    unknown user and an unknown file look alike, so the route reveals nothing else.
    """
    if not _FILE_NAME.match(file_name):
        raise NotFound("userpic")
    user = users.get(user_id)
    if user is None or not (user.userpic or "").endswith(public_path(user_id, file_name)):
        raise NotFound("userpic")
    url: str = _s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": _settings.userpic_bucket, "Key": object_key(user_id, file_name)},
        ExpiresIn=PRESIGNED_SECONDS,
    )
    return url
