"""Two definition versions side by side: what changed, in words, and the two texts
with the changed lines marked.

The structured diff (``diff_bundles``, the same one the API and CLI answer) says
which forms, rules, states... were added, removed or changed; admins read it as
sentences, never as JSON pointers. The texts are aligned line by line with
difflib on the server, so the page needs no JavaScript; long unchanged stretches
are folded into one "N unchanged lines" row unless the admin asks for everything.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from flask import render_template, request

from workorders.definitions.diff_words import change_sentences
from workorders.platform.auth import current_actor
from workorders.platform.models import DefinitionVersion
from workorders.platform.permissions import Action, require
from workorders.platform.services.definitions import diff_versions, list_versions
from workorders.platform.web import web

#: the diff's sections in the order the page lists them, with their headings
SECTION_HEADINGS: tuple[tuple[str, str], ...] = (
    ("top_level", "Bundle settings"), ("vat_rates", "VAT rates"), ("articles", "Articles"),
    ("labor", "Labour"), ("case_types", "Case types"), ("forms", "Forms"), ("rules", "Rules"),
    ("notification_templates", "Notification templates"), ("webhooks", "Webhooks"),
    ("connectors", "Connectors"), ("tests", "Golden tests"),
)
#: unchanged lines kept around each change when the texts are folded
CONTEXT_LINES = 3
#: beyond this many lines per side difflib's popular-line heuristic stays on, so a
#: 2 MiB bundle cannot make the alignment quadratic
EXACT_ALIGN_LINES = 5000


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side table: ``kind`` is equal, change, delete, insert
    or skip (a folded run of ``skipped`` unchanged lines)."""

    kind: str
    left_no: int | None = None
    left: str | None = None
    right_no: int | None = None
    right: str | None = None
    skipped: int = 0


def change_sections(sections: dict[str, Any]) -> list[dict[str, Any]]:
    """The structured diff as headed lists of sentences (worded once, by
    ``change_sentences``, for this page, the publish page and the API's summary);
    sections without a change are left out. ``counts`` says how many items were
    added, removed and changed."""
    out = []
    for key, heading in SECTION_HEADINGS:
        change = sections.get(key) or {}
        counts = {kind: len(change.get(kind) or []) for kind in ("added", "removed", "changed")}
        if not any(counts.values()):
            continue
        out.append({"key": key, "heading": heading, "counts": counts,
                    "sentences": change_sentences({key: change})})
    return out


def aligned_rows(old: str, new: str, *, fold: bool = True) -> list[Row]:
    """The two texts line by line; a replaced block pairs its lines in order and
    pads the shorter side. With ``fold``, unchanged runs keep CONTEXT_LINES lines
    around each change and the rest becomes one skip row."""
    left, right = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    opcodes = _opcodes(left, right)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows += _equal_rows(left, i1, i2, j1, fold=fold, first=index == 0,
                                last=index == len(opcodes) - 1)
            continue
        kind = {"replace": "change", "delete": "delete", "insert": "insert"}[tag]
        for a, b in zip_longest(range(i1, i2), range(j1, j2)):
            rows.append(Row(kind, a + 1 if a is not None else None,
                            left[a] if a is not None else None,
                            b + 1 if b is not None else None,
                            right[b] if b is not None else None))
    return rows


def _opcodes(left: list[str], right: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with the common head and tail matched first: an edit in a
    large bundle leaves most of it alike, and difflib need only align the middle."""
    head = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        head += 1
    tail = 0
    while tail < min(len(left), len(right)) - head and left[-1 - tail] == right[-1 - tail]:
        tail += 1
    middle_left, middle_right = left[head:len(left) - tail], right[head:len(right) - tail]
    exact = max(len(middle_left), len(middle_right)) <= EXACT_ALIGN_LINES
    middle = difflib.SequenceMatcher(None, middle_left, middle_right,
                                     autojunk=not exact).get_opcodes()
    ops = [("equal", 0, head, 0, head)] if head else []
    ops += [(tag, i1 + head, i2 + head, j1 + head, j2 + head)
            for tag, i1, i2, j1, j2 in middle if not (tag == "equal" and i1 == i2)]
    if tail:
        ops.append(("equal", len(left) - tail, len(left), len(right) - tail, len(right)))
    merged: list[tuple[str, int, int, int, int]] = []
    for op in ops:  # an equal middle run next to the head or tail is one run
        if merged and op[0] == "equal" == merged[-1][0]:
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _equal_rows(lines: list[str], i1: int, i2: int, j1: int, *, fold: bool, first: bool,
                last: bool) -> list[Row]:
    def row(i: int) -> Row:
        return Row("equal", i + 1, lines[i], j1 + (i - i1) + 1, lines[i])

    head = 0 if first else CONTEXT_LINES
    tail = 0 if last else CONTEXT_LINES
    if not fold or i2 - i1 <= head + tail + 1:
        return [row(i) for i in range(i1, i2)]
    kept_head = [row(i) for i in range(i1, i1 + head)]
    kept_tail = [row(i) for i in range(i2 - tail, i2)]
    return [*kept_head, Row("skip", skipped=i2 - i1 - head - tail), *kept_tail]


def _version_arg(name: str, versions: dict[int, DefinitionVersion]) -> tuple[int | None,
                                                                             str, int]:
    """The version the query names, or None with what is wrong with it and the status
    that says so (400 not a number, 404 no such version in this workspace)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, "", 200
    if not raw.isdigit() or len(raw) > 9:
        return None, f"“{raw[:40]}” is not a version number; choose one from the list.", 400
    if int(raw) not in versions:
        return None, f"There is no version {int(raw)} in this workspace.", 404
    return int(raw), "", 200


@web.get("/admin/definitions/diff")
@require(Action.CHECK_DEFINITIONS)
def definitions_diff() -> Any:
    tenant_id = current_actor().tenant_id
    versions = {v.number: v for v in list_versions(tenant_id)}
    a, a_problem, a_status = _version_arg("a", versions)
    b, b_problem, b_status = _version_arg("b", versions)
    problems = [p for p in (a_problem, b_problem) if p]
    status = max(a_status, b_status)
    if not problems and (a is None) != (b is None):
        problems, status = ["Choose two versions to compare."], 400
    full = request.args.get("full") == "1"
    context: dict[str, Any] = {"versions": sorted(versions.values(), key=lambda v: -v.number),
                               "a": a, "b": b, "problems": problems, "full": full}
    if a is not None and b is not None and not problems:
        old, new = versions[a], versions[b]
        context.update(old=old, new=new,
                       sections=change_sections(diff_versions(tenant_id, a, b)["sections"]),
                       rows=aligned_rows(old.source_text, new.source_text, fold=not full))
    return render_template("admin/definitions_diff.html", **context), status
