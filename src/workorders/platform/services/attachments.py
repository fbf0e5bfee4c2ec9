"""Photos, signatures and documents attached to a case.

The type is sniffed from the bytes (never the name or the client's header):
JPEG, PNG, WebP, HEIC/HEIF and PDF are accepted, anything else is refused.
Photos get a thumbnail with their EXIF orientation applied, so a portrait
taken on a phone is shown upright everywhere.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from workorders.errors import Forbidden, UnsupportedMedia
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.models import Attachment
from workorders.platform.services.case_context import load_case
from workorders.platform.services.files import store_bytes
from workorders.platform.services.unit_of_work import transaction

THUMBNAIL_SIZE = (320, 320)
MAX_PIXELS = 50_000_000  # a decompression bomb is refused, not decoded
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}


class UnsupportedFile(UnsupportedMedia):
    """The bytes are not one of the accepted types (HTTP 415)."""


def sniff(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    thumbnail: bytes


def image_facts(data: bytes) -> ImageFacts | None:
    """Size after EXIF rotation and a PNG/JPEG thumbnail; None for formats
    Pillow cannot decode here (HEIC without a plugin)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UnsupportedFile("the image is too large to process (over 50 megapixels)")
            upright = ImageOps.exif_transpose(img)
            width, height = upright.size
            upright.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGBA")
                upright.save(out, format="PNG")
            else:
                upright.save(out, format="JPEG", quality=80)
            return ImageFacts(width, height, out.getvalue())
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None


def add_attachment(actor: Actor, case_id: int, data: bytes, filename: str) -> Attachment:
    loaded = load_case(actor, case_id)  # 404 for another tenant's case
    if not (actor.has_any("coordinator", "admin") or (
            actor.has_any("technician") and loaded.case.assignee_id == actor.user_id)):
        raise Forbidden("only the assigned technician or a coordinator may attach files "
                        "to this case")
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedFile("only JPEG, PNG, WebP, HEIC photos and PDF documents can be "
                              "attached; this file is none of them")
    facts = image_facts(data) if content_type.startswith("image/") else None
    if content_type in ("image/jpeg", "image/png", "image/webp") and facts is None:
        raise UnsupportedFile("the image could not be read; it may be damaged")
    sha = store_bytes(data)
    thumb = store_bytes(facts.thumbnail) if facts else None
    with transaction() as session:
        attachment = Attachment(
            id=secrets.token_hex(12), tenant_id=actor.tenant_id, case_id=case_id, sha256=sha,
            content_type=content_type, size=len(data), filename=_display_name(filename),
            width=facts.width if facts else None, height=facts.height if facts else None,
            thumbnail_sha256=thumb, created_by=actor.email)
        session.add(attachment)
    return attachment


def _display_name(filename: str) -> str:
    """Only the last path segment, as metadata for people: never used as a path."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:255]


def get_attachment(actor: Actor, attachment_id: str) -> Attachment:
    return get_for_tenant(Attachment, attachment_id, actor.tenant_id)
