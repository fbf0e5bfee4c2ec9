"""docs/connectors.md shows real output: its samples are the golden files and its
requirements table is ``required_fields``; UPDATE_GOLDEN=1 rewrites both."""

from __future__ import annotations

import re

from workorders.connectors import FORMATS, required_fields

from .conftest import GOLDEN, REPO, UPDATE

DOC = REPO / "docs" / "connectors.md"
SAMPLE = re.compile(r"(<!-- golden: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /golden -->)",
                    re.S)
TABLE = re.compile(r"(<!-- requirements -->\n)(?P<body>.*?)(<!-- /requirements -->)", re.S)
FENCES = {"xml": "xml", "json": "json", "csv": "text"}


def sample_block(name: str) -> str:
    text = (GOLDEN / name).read_bytes().decode("utf-8").replace("\r\n", "\n")  # CSV: CRLF
    return f"```{FENCES[name.rsplit('.', 1)[1]]}\n{text.rstrip()}\n```\n"


def requirements_table() -> str:
    rows = ["| format | document data | what a coordinator is told |", "|---|---|---|"]
    for format_id in FORMATS:
        for r in required_fields(format_id, {}):
            data = " or ".join(f"`{p}`" for p in (r.path, *r.alternatives))
            when = " (only for some documents)" if r.applies else ""
            rows.append(f"| `{format_id}` | {data}{when} | {r.message} |")
    return "\n".join(rows) + "\n"


def expected(text: str) -> str:
    text = SAMPLE.sub(lambda m: m.group(1) + sample_block(m.group("name")) + m.group(4), text)
    return TABLE.sub(lambda m: m.group(1) + requirements_table() + m.group(3), text)


def test_docs_samples_and_requirements_are_generated() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = [m.group("name") for m in SAMPLE.finditer(text)]
    assert {n.split("-")[0] for n in names} == set(FORMATS), "one sample per format"
    assert TABLE.search(text), "the requirements table marker is missing"
    fresh = expected(text)
    if UPDATE:
        DOC.write_text(fresh, encoding="utf-8")
        text = fresh
    assert text == fresh, "docs/connectors.md is stale: run with UPDATE_GOLDEN=1"
