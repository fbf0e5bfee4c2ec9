"""Export benchmark: `python benchmarks/bench_connectors.py [--documents N]`.

10,000 invoice-ready documents (3-8 lines, two VAT rates, varied quantities) are
rendered to `peppol_ubl` through `render_payload` (requirements check, mapping to a
UBL tree, serialisation), printed beside lxml serialising the same prepared trees
(the baseline: the floor for any lxml-based writer). CSV and generic JSON follow,
each beside the standard library writing the same prepared rows / dicts. Target:
>= 1,000 Peppol documents/s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from workorders.connectors import (
    Address,
    CaseRef,
    InvoiceDocument,
    LineInput,
    Party,
    Payment,
    build_document,
    render_payload,
    to_json_dict,
)
from workorders.connectors.formats import csv_format, peppol

SELLER = Party(name="Nordvärme AB", org_number="556677-8899", vat_id="SE556677889901",
               peppol_id="0007:5566778899", email="faktura@nordvarme.se",
               address=Address(street="Industrigatan 4", city="Umeå", postal_code="90325",
                               country="SE"))
BUYER = Party(name="Fastighets AB Exempel", erp_id="10042", org_number="5599887766",
              vat_id="SE559988776601", peppol_id="0007:5599887766",
              address=Address(street="Storgatan 1", city="Borås", postal_code="50330",
                              country="SE"))
PAYMENT = Payment(means_code="30", account="5050-1055", account_scheme="SE:BANKGIRO",
                  terms_days=30)
CATALOG = [("labor", "install", "Installation work", "HUR", "695.00", 25),
           ("labor", "travel", "Travel", "HUR", "450.00", 25),
           ("material", "HP-F2120-8", "NIBE F2120-8 heat pump", "EA", "48500.00", 25),
           ("material", "CU15", "Copper pipe 15 mm", "MTR", "89.00", 25),
           ("fee", None, "Hotel night", "EA", "1195.00", 12)]
OPTIONS = {"buyer_reference": "{{ case.number }}", "unit_map": {"HUR": "HUR"}}


def documents(count: int) -> list[InvoiceDocument]:
    result = []
    for i in range(count):
        lines = [LineInput(kind=k, article_number=a, description=d, unit_code=u,
                           unit_price=p, vat_category="standard" if r == 25 else "reduced",
                           vat_rate=r, quantity=f"{1 + (i * 7 + j) % 13}.{(i + j) % 4 * 25}")
                 for j, (k, a, d, u, p, r) in enumerate(CATALOG * 2)][: 3 + i % 6]
        result.append(build_document(
            kind="credit_note" if i % 10 == 9 else "invoice", number=f"F{10000 + i}",
            credited_number=f"F{9999 + i}" if i % 10 == 9 else None,
            issue_date=dt.date(2026, 11, 23), currency="SEK", locale="sv-SE", seller=SELLER,
            buyer=BUYER, payment=PAYMENT, delivery_date=dt.date(2026, 11, 20),
            case=CaseRef(number=f"INST-2026-{i:05d}", id=str(i), case_type="installation",
                         purchase_order=f"PO-{i}"), lines=lines))
    return result


def rate(items: Sequence[Any], work: Callable[[Any], object]) -> float:
    """Items per second for ``work`` over ``items`` (best of three runs)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            work(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def line(label: str, ours: float, baseline_label: str, baseline: float,
         target: float | None = None) -> None:
    verdict = "" if target is None else \
        f"  target >= {target:,.0f}/s: {'met' if ours >= target else 'MISSED'}"
    print(f"  {label:40} {ours:10,.0f} docs/s | {baseline_label:38} {baseline:10,.0f} docs/s"
          f" | ratio {ours / baseline:5.2f}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    count = parser.parse_args().documents
    start = time.perf_counter()
    docs = documents(count)
    built = count / (time.perf_counter() - start)
    lines = sum(len(d.lines) for d in docs)
    print(f"{count:,} documents, {lines:,} lines; build_document (arithmetic): "
          f"{built:,.0f} docs/s")
    context: dict[str, Any] = {}
    pairs = [(d, {"case": {"number": d.case.number}}) for d in docs]

    trees = [peppol.build_tree(d, OPTIONS, c) for d, c in pairs]
    baseline = rate(trees, peppol.serialize)
    print("peppol_ubl")
    line("render_payload (mapping + serialisation)",
         rate(pairs, lambda p: render_payload("peppol_ubl", p[0], OPTIONS, p[1])),
         "lxml tostring of the same trees", baseline, 1_000)
    line("mapping only (build_tree)",
         rate(pairs, lambda p: peppol.build_tree(p[0], OPTIONS, p[1])),
         "lxml tostring of the same trees", baseline)

    print("csv (default columns, decimal comma)")
    names = [n for n, _ in csv_format.DEFAULT_COLUMNS]
    tables = [csv_format._table(d, {}, context, ",")[1] for d in docs]

    def stdlib_csv(rows: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([names, *rows])
        return buffer.getvalue().encode("utf-8")

    line("render_payload", rate(docs, lambda d: render_payload("csv", d, {}, context)),
         "csv.writer on the same prepared rows", rate(tables, stdlib_csv))

    print("generic_json")
    dicts = [to_json_dict(d) for d in docs]
    line("render_payload", rate(docs, lambda d: render_payload("generic_json", d, {}, context)),
         "json.dumps of the same prepared dicts",
         rate(dicts, lambda x: json.dumps(x, indent=2, ensure_ascii=False).encode()))


if __name__ == "__main__":
    main()
