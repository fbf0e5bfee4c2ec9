"""The tenant's logo: a small image carried inside the bundle.

A logo is written as a ``data:`` URL (``branding: {logo: "data:image/png;base64,..."}``)
so a published version holds everything its customer pages show: no external
address is ever fetched or linked (no tracking pixel in a customer's browser, no
broken image when a web host moves, nothing for the page's Content-Security-Policy
to allow). The platform serves the decoded bytes from its own address with the
image's type. Only PNG, JPEG and WebP are accepted, at most ``MAX_LOGO_BYTES``, and
the bytes must really be that kind of image (its magic number), so an SVG with
script or an HTML page cannot pass as a logo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from .limits import MAX_LOGO_BYTES

#: media type -> the bytes such a file starts with
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),
}
LOGO_TYPES: tuple[str, ...] = tuple(_MAGIC)
LOGO_EXAMPLE = "data:image/png;base64,iVBORw0KGgo..."


class LogoProblem(ValueError):
    """What is wrong with a logo, in a sentence for the admin who wrote it."""


@dataclass(frozen=True, slots=True)
class Logo:
    media_type: str
    data: bytes

    @property
    def etag(self) -> str:
        """A short fingerprint of the bytes: the logo's address changes with them."""
        return hashlib.sha256(self.data).hexdigest()[:16]


def _is(media_type: str, data: bytes) -> bool:
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return any(data.startswith(magic) for magic in _MAGIC[media_type])


def read_logo(text: str) -> Logo:
    """The decoded logo of a ``data:image/...;base64,...`` URL, or a LogoProblem."""
    head, comma, payload = text.strip().partition(",")
    if not head.startswith("data:") or not comma:
        raise LogoProblem("the logo must be the image itself as a data: URL, not a link")
    media_type, _, encoding = head[5:].partition(";")
    media_type = media_type.strip().lower()
    if media_type not in _MAGIC:
        raise LogoProblem(f"the logo is {media_type or 'of no type'}; use a PNG, JPEG or WebP "
                          "image")
    if encoding.strip().lower() != "base64":
        raise LogoProblem("the logo must be base64-encoded (data:image/png;base64,...)")
    if len(payload) > (MAX_LOGO_BYTES * 4) // 3 + 8:
        raise LogoProblem(f"the logo is larger than {MAX_LOGO_BYTES // 1024} KB; use a "
                          "smaller image (a header logo is usually 5-30 KB)")
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LogoProblem("the logo's base64 text is damaged; encode the file again") from exc
    if len(data) > MAX_LOGO_BYTES:
        raise LogoProblem(f"the logo is larger than {MAX_LOGO_BYTES // 1024} KB; use a "
                          "smaller image (a header logo is usually 5-30 KB)")
    if not _is(media_type, data):
        raise LogoProblem(f"the logo says it is {media_type.split('/')[1].upper()} but its "
                          "bytes are not such an image")
    return Logo(media_type, data)
