"""Hypothesis strategies: random condition trees and hostile fact documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier

TOP_FACTS = ["a", "b", "c.d", "c.e"]
ITEM_FACTS = ["q", "s"]
LISTS = ["items", "c.lines"]
TEXT = st.text(alphabet='ab9."\\\x00ä-5 T:', max_size=6)

constants_number = st.one_of(
    st.integers(-1000, 1000),
    st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False),
    st.sampled_from([0, 1, Decimal("9.5"), Decimal("0.000001"), 10**11]),
)
constants_scalar = st.one_of(constants_number, TEXT.filter(bool), st.booleans())
dates = st.sampled_from(["2026-01-01", "2026-11-20", "1999-12-31"])

actual_scalar = st.one_of(
    st.none(), st.just(""), st.booleans(), TEXT,
    st.integers(-(2**70), 2**70),
    st.decimals(allow_nan=True, allow_infinity=True, places=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["9.50", "9.5", "-0.0000001", "10", "1e5", "2026-01-01", "2026-11-20T08:00",
                     "2026-02-30", "abc", 8, 9, Decimal("9.5000001"), 1e-05]),
)


def leaves(facts: list[str]) -> st.SearchStrategy[Leaf]:
    fact = st.sampled_from(facts)
    return st.one_of(
        st.builds(Leaf, fact, st.sampled_from(["present", "missing"])),
        st.builds(Leaf, fact, st.sampled_from(["eq", "ne"]), constants_scalar),
        st.builds(Leaf, fact, st.sampled_from(["gt", "gte", "lt", "lte"]),
                  st.one_of(constants_number, dates)),
        st.builds(Leaf, fact, st.sampled_from(["in", "not_in"]),
                  st.lists(constants_scalar, max_size=3)),
        st.builds(Leaf, fact, st.just("contains"), constants_scalar),
        st.builds(Leaf, fact, st.just("matches"),
                  st.sampled_from(["a.*", "[0-9]+", "9\\.5", "a|b", "[^a]{1,3}"])),
    )


def conditions(facts: list[str], depth: int) -> st.SearchStrategy[Condition]:
    base = leaves(facts)
    if depth == 0:
        return base
    inner = st.deferred(lambda: conditions(facts, depth - 1))
    return st.one_of(
        base,
        st.builds(All, st.lists(inner, max_size=3).map(tuple)),
        st.builds(AnyOf, st.lists(inner, max_size=3).map(tuple)),
        st.builds(Not, inner),
        st.builds(Quantifier, st.sampled_from(["any_item", "all_items"]), st.sampled_from(LISTS),
                  conditions([*ITEM_FACTS, "sub"] if depth > 1 else ITEM_FACTS, depth - 1)),
    )


def _item(depth: int) -> st.SearchStrategy[Any]:
    scalars = st.one_of(actual_scalar, st.lists(actual_scalar, max_size=3))
    fields = {"q": scalars, "s": scalars}
    if depth:
        fields["sub"] = st.lists(_item(depth - 1), max_size=3)
    return st.one_of(st.fixed_dictionaries({}, optional=fields), actual_scalar)


def documents() -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(actual_scalar, st.lists(actual_scalar, max_size=3))
    items = st.one_of(st.lists(_item(1), max_size=4), actual_scalar)
    inner = st.fixed_dictionaries({}, optional={"d": value, "e": value, "lines": items})
    return st.fixed_dictionaries({}, optional={
        "a": value, "b": value, "c": st.one_of(inner, actual_scalar), "items": items,
    })
