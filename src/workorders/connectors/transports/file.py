"""The ``file`` transport: write a payload into the tenant's export folder, once.

Files are picked up by other programs (an ERP import job, an e-invoice access point
watching a folder), so a reader must never see half a file and an exported invoice
must never be silently replaced:

* the payload is written to a temporary name in the same directory, fsynced, then
  hard-linked to its final name; ``link`` fails if the name exists, so nothing is
  ever overwritten (``rename`` would overwrite);
* an existing file with identical bytes counts as delivered (a retry after a crash
  between link and acknowledgement), a different one is an error for a person;
* the directory is relative to the tenant's base folder: absolute paths, ``..``
  and symlinks leading outside it are refused.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import time
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import DestinationRefused
from .result import DeliveryResult

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_filename(case_number: str, revision: int, kind: str, ext: str) -> str:
    """``<case number>-<revision>-<kind>.<ext>`` with anything path-like replaced."""
    name = f"{case_number}-{revision}-{kind}"
    return f"{_UNSAFE.sub('_', name).lstrip('.') or 'export'}.{_UNSAFE.sub('', ext)}"


def target_directory(base_dir: Path, directory: str) -> Path:
    """``base_dir/directory`` created if needed; refused if it would leave ``base_dir``."""
    posix, windows = PurePosixPath(directory), PureWindowsPath(directory)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise DestinationRefused(f"the export directory '{directory}' is absolute")
    if ".." in posix.parts or ".." in windows.parts:
        raise DestinationRefused(f"the export directory '{directory}' contains '..'")
    base = base_dir.resolve()
    target = base / directory
    target.mkdir(parents=True, exist_ok=True)
    resolved = target.resolve()
    if resolved != base and base not in resolved.parents:
        raise DestinationRefused(f"the export directory '{directory}' leads outside the "
                                 "export folder (symbolic link)")
    return resolved


def deliver_file(base_dir: Path, directory: str, filename: str, body: bytes) -> DeliveryResult:
    """Write ``body`` as ``directory/filename`` under ``base_dir``, atomically and once."""
    started = time.monotonic()

    def result(ok: bool, error: str | None, detail: str | None,
               retryable: bool = True) -> DeliveryResult:
        return DeliveryResult(ok, None, error, int((time.monotonic() - started) * 1000),
                              detail, retryable)

    if not filename or filename.startswith(".") or "/" in filename or "\\" in filename:
        return result(False, f"'{filename}' is not a plain file name", None, False)
    try:
        folder = target_directory(base_dir, directory)
        final = folder / filename
        if final.is_symlink():
            return result(False, f"{directory}/{filename} is a symbolic link; refusing to "
                          "deliver through it", None, False)
        if _link_new(folder, final, body):
            return result(True, None, f"written {directory}/{filename}")
        if final.read_bytes() == body:
            return result(True, None, f"already delivered {directory}/{filename}")
        return result(False, f"{directory}/{filename} already exists with different content; "
                      "it is never overwritten", None, False)
    except DestinationRefused as exc:
        return result(False, exc.message, None, False)
    except OSError as exc:
        return result(False, f"cannot write {directory}/{filename}: {exc.strerror or exc}", None)


def _link_new(folder: Path, final: Path, body: bytes) -> bool:
    """Write via a fsynced temporary file and hard-link it; False if ``final`` exists."""
    temporary = folder / f".tmp-{secrets.token_hex(8)}-{final.name}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, final)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            return _exclusive_write(final, body)
        _fsync_directory(folder)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _exclusive_write(final: Path, body: bytes) -> bool:
    """Fallback where hard links are not supported: O_EXCL create (never overwrites)."""
    try:
        fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
