"""The file transport on a real file system: atomic, never overwriting, no escapes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from workorders.connectors.transports import deliver_file, export_filename


def test_writes_the_payload_under_the_base_folder(tmp_path: Path) -> None:
    result = deliver_file(tmp_path, "peppol/outgoing", "C-1-2-invoice.xml", b"<Invoice/>")
    assert result.ok and result.error is None
    assert result.response_excerpt == "written peppol/outgoing/C-1-2-invoice.xml"
    target = tmp_path / "peppol" / "outgoing" / "C-1-2-invoice.xml"
    assert target.read_bytes() == b"<Invoice/>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["C-1-2-invoice.xml"]


def test_identical_retry_counts_as_delivered(tmp_path: Path) -> None:
    assert deliver_file(tmp_path, "out", "a.json", b"{}").ok
    again = deliver_file(tmp_path, "out", "a.json", b"{}")
    assert again.ok and again.response_excerpt == "already delivered out/a.json"


def test_a_different_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    assert deliver_file(tmp_path, "out", "a.json", b'{"v": 1}').ok
    result = deliver_file(tmp_path, "out", "a.json", b'{"v": 2}')
    assert not result.ok and not result.retryable
    assert "already exists with different content" in result.error
    assert (tmp_path / "out" / "a.json").read_bytes() == b'{"v": 1}'
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.json"]


def test_concurrent_writers_leave_exactly_one_complete_file(tmp_path: Path) -> None:
    bodies = [bytes([65 + i]) * 200_000 for i in range(8)]
    results = []

    def write(body: bytes) -> None:
        results.append(deliver_file(tmp_path, "race", "x.csv", body))

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.ok for r in results) == 1
    content = (tmp_path / "race" / "x.csv").read_bytes()
    assert content in bodies  # whole, never interleaved or partial
    assert [p.name for p in (tmp_path / "race").iterdir()] == ["x.csv"]


@pytest.mark.parametrize(("directory", "message"), [
    ("/etc", "absolute"), ("../other-tenant", "contains '..'"), ("a/../../b", "contains '..'"),
    ("C:\\exports", "absolute"), ("..\\x", "contains '..'"),
])
def test_directory_escapes_are_refused(tmp_path: Path, directory: str, message: str) -> None:
    base = tmp_path / "tenant"
    base.mkdir()
    result = deliver_file(base, directory, "a.xml", b"x")
    assert not result.ok and not result.retryable and message in result.error
    assert list(tmp_path.rglob("a.xml")) == []


def test_symlinked_directory_leading_outside_is_refused(tmp_path: Path) -> None:
    base, outside = tmp_path / "tenant", tmp_path / "outside"
    base.mkdir()
    outside.mkdir()
    (base / "peppol").symlink_to(outside)
    result = deliver_file(base, "peppol", "a.xml", b"x")
    assert not result.ok and "symbolic link" in result.error
    assert list(outside.iterdir()) == []


def test_symlinked_target_file_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "out").mkdir()
    os.symlink(victim, tmp_path / "out" / "a.xml")
    result = deliver_file(tmp_path, "out", "a.xml", b"x")
    assert not result.ok and "symbolic link" in result.error
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize("name", ["../a.xml", "sub/a.xml", ".hidden", "", "a\\b.xml"])
def test_file_names_must_be_plain(tmp_path: Path, name: str) -> None:
    result = deliver_file(tmp_path, "out", name, b"x")
    assert not result.ok and "plain file name" in result.error


def test_export_filename_is_safe_and_follows_the_contract() -> None:
    assert export_filename("INST-2026-0042", 2, "invoice", "xml") == \
        "INST-2026-0042-2-invoice.xml"
    assert export_filename("../../etc/passwd", 1, "credit_note", "c/sv") == \
        "_.._etc_passwd-1-credit_note.csv"
    assert "/" not in export_filename("a/b", 1, "invoice", "json")
