"""Files and directories only the service's own user may read.

The instance holds the secret key, the SQLite database, uploaded photos and
signatures, and the outbox of messages with customer links in them; none of that
is for other accounts on the machine. Modes are set explicitly (0700 for
directories, 0600 for files) because a process umask can only take bits away and
a loose umask (0022 is common) would otherwise leave everything world-readable.
Existing paths keep their modes: an operator who chose others keeps them.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``mkdir -p`` that gives every directory it creates mode 0700."""
    missing: list[Path] = []
    cursor = path
    while not cursor.exists():
        missing.append(cursor)
        cursor = cursor.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(directory, DIR_MODE)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (created or replaced) with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def create_private_file(path: Path) -> None:
    """Create an empty ``path`` with mode 0600 unless it exists (e.g. before
    SQLite opens a database file, which it would create with the umask's mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
