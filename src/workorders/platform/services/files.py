"""Content-addressed file storage under the instance dir.

A file lives at ``files/<first two hex>/<sha256>``; the same bytes uploaded
twice are stored once. The client's filename never becomes part of a path.
Writes go to a temporary name in the same directory and are renamed into
place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

from workorders.platform.config import settings_of
from workorders.platform.private_paths import private_dir


def files_root() -> Path:
    root: Path = settings_of(current_app).files_dir
    return root


def path_of(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return files_root() / sha256[:2] / sha256


def store_bytes(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    target = path_of(sha)
    if target.exists():
        return sha
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha


def read_bytes(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()
