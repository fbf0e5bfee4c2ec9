"""Fixtures: the example bundles as models, and a small bundle with two VAT rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from workorders.definitions import Bundle, load_bundle

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "definitions").glob("*.yaml"))

MIXED_VAT = """
format: workorders/v1
name: Mixed VAT test tenant
currency: SEK
locale: sv-SE
catalog:
  vat_rates: {standard: 25, reduced: 12, zero: 0}
  articles:
    - {number: A1, name: Pipe, unit: MTR, price: 0.33, vat: standard}
    - {number: B1, name: Book, unit: EA, price: 99.95, vat: reduced}
    - {number: Z1, name: Export part, unit: EA, price: 10.00, vat: zero}
  labor:
    - {code: work, name: Work, unit: HUR, price: 695.00, vat: standard}
    - {code: odd, name: Odd rate, unit: HUR, price: 100.05, vat: reduced}
case_types:
  - id: job
    name: Job
    number_prefix: JOB
    forms: [report, extra]
    lifecycle:
      initial: open
      states:
        - {id: open, label: Open}
        - {id: done, label: Done, final: true}
      transitions:
        - {id: finish, from: open, to: done, roles: [technician]}
forms:
  - id: report
    title: Report
    sections:
      - fields:
          - {id: time, type: time_entries, labor: [work, odd]}
          - {id: materials, type: material_lines, catalog: articles, allow_free_text: true}
  - id: extra
    title: Extra
    sections:
      - fields:
          - {id: time, type: time_entries}
          - {id: parts, type: material_lines, catalog: articles, price_override: true}
"""


def load(text: str | bytes) -> Bundle:
    result = load_bundle(text)
    assert result.bundle is not None, result.errors
    return result.bundle


@pytest.fixture(scope="session")
def bundles() -> dict[str, Bundle]:
    return {path.stem: load(path.read_bytes()) for path in EXAMPLES}


@pytest.fixture(scope="session")
def nordvarme(bundles: dict[str, Bundle]) -> Bundle:
    return bundles["nordvarme-heatpumps"]


@pytest.fixture(scope="session")
def voltfix(bundles: dict[str, Bundle]) -> Bundle:
    return bundles["voltfix-electric"]


@pytest.fixture(scope="session")
def bytewise(bundles: dict[str, Bundle]) -> Bundle:
    return bundles["bytewise-it"]


@pytest.fixture(scope="session")
def mixed() -> Bundle:
    return load(MIXED_VAT)
