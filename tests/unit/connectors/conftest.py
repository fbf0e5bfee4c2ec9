"""Fixtures for the connector tests: golden files and the official UBL validator.

The Peppol checks use the validators shipped beside the repository
(``../shared/validators``, or ``WORKORDERS_VALIDATORS_DIR``) with one ``Validator``
per session, because compiling the Schematron XSLTs takes about two seconds.
Without saxonche or the artefacts the tests skip loudly, and fail under
``WORKORDERS_REQUIRE_SERVICES=1`` as CI sets it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import missing

REPO = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).resolve().parent / "golden"
VALIDATORS = Path(os.environ.get("WORKORDERS_VALIDATORS_DIR",
                                 REPO.parent / "shared" / "validators"))
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0", "false")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "peppol: validates UBL with the official XSD and Schematron (saxonche)")


def check_golden(name: str, body: bytes) -> None:
    """Compare ``body`` with ``golden/<name>``; rewrite it only with UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(body)
        return
    assert path.exists(), f"no golden file {name}; run with UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes()
    assert body == expected, (f"{name} differs from its golden file; if the change is "
                              "intended, run with UPDATE_GOLDEN=1 and review the diff")


@pytest.fixture(scope="session")
def ubl_validator() -> Any:
    """The validators' ``Validator`` with XSD, EN 16931 and Peppol stages, once per session."""
    if not (VALIDATORS / "validate_ubl.py").is_file():
        missing("UBL validators", f"{VALIDATORS} has no validate_ubl.py")
    try:
        import saxonche  # noqa: F401
    except ImportError:
        missing("saxonche", "it is not installed (pip install saxonche)")
    sys.path.insert(0, str(VALIDATORS))
    try:
        from validate_ubl import Validator
    finally:
        sys.path.remove(str(VALIDATORS))
    return Validator(VALIDATORS, ["xsd", "en16931", "peppol"])


@pytest.fixture(scope="session")
def validate_ubl(ubl_validator: Any, tmp_path_factory: pytest.TempPathFactory
                 ) -> Callable[[bytes, str], list[str]]:
    """Validate XML bytes; the fatal findings as readable strings (empty when valid)."""
    folder = tmp_path_factory.mktemp("ubl")

    def run(body: bytes, name: str) -> list[str]:
        path = folder / name
        path.write_bytes(body)
        result = ubl_validator.validate(path)
        return [f"{f.stage} {f.id} at {f.location}: {f.text}" for f in result.findings
                if f.flag == "fatal"]

    return run
