"""The compare page's side-by-side rows: whatever the edit, the rows rebuild both
texts exactly, number every line once and in order, pair only equal lines as
unchanged, and fold long unchanged runs to CONTEXT_LINES around each change."""

from __future__ import annotations

import random

from workorders.platform.web.definition_diff import CONTEXT_LINES, Row, aligned_rows


def _sides(rows: list[Row]) -> tuple[list[str], list[str]]:
    return ([r.left for r in rows if r.left is not None],
            [r.right for r in rows if r.right is not None])


def test_rows_rebuild_both_texts_for_random_edits() -> None:
    rng = random.Random(13)
    for _ in range(500):
        old = [rng.choice("abcde") for _ in range(rng.randint(0, 30))]
        new = old[:]
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            if roll < .33 and new:
                new.pop(rng.randrange(len(new)))
            elif roll < .66:
                new.insert(rng.randint(0, len(new)), rng.choice("abcdef"))
            elif new:
                new[rng.randrange(len(new))] = rng.choice("xyz")
        rows = aligned_rows("\n".join(old), "\n".join(new), fold=False)
        left, right = _sides(rows)
        assert (left, right) == (old, new), (old, new)
        assert [r.left_no for r in rows if r.left_no] == list(range(1, len(old) + 1))
        assert [r.right_no for r in rows if r.right_no] == list(range(1, len(new) + 1))
        assert all(r.left == r.right for r in rows if r.kind == "equal")
        assert all(r.kind != "skip" for r in rows)


def test_unchanged_runs_fold_around_each_change() -> None:
    old = [f"line {n}" for n in range(1, 101)]
    new = old[:]
    new[49] = "line 50, changed"
    rows = aligned_rows("\n".join(old), "\n".join(new))
    kinds = [r.kind for r in rows]
    assert kinds == ["skip", *["equal"] * CONTEXT_LINES, "change",
                     *["equal"] * CONTEXT_LINES, "skip"]
    assert [r.skipped for r in rows if r.kind == "skip"] == [49 - CONTEXT_LINES,
                                                             50 - CONTEXT_LINES]
    change = rows[kinds.index("change")]
    assert (change.left_no, change.left, change.right_no, change.right) == (
        50, "line 50", 50, "line 50, changed")
    assert aligned_rows("same\ntext", "same\ntext") == [Row("skip", skipped=2)]
    assert aligned_rows("", "new") == [Row("insert", None, None, 1, "new")]


def test_a_one_line_edit_in_a_large_repetitive_bundle_is_one_change() -> None:
    """Past EXACT_ALIGN_LINES difflib ignores popular lines; the common head and tail
    are matched first, so a one-line edit is still found as exactly that line."""
    old = [f"  - {{id: item_{n % 50}, name: repeated}}" for n in range(60_000)]
    new = old[:]
    new[30_000] = "  - {id: changed}"
    rows = aligned_rows("\n".join(old), "\n".join(new))
    assert [(r.kind, r.left_no, r.right_no) for r in rows if r.kind != "equal"] == [
        ("skip", None, None), ("change", 30_001, 30_001), ("skip", None, None)]
