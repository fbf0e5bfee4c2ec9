"""Rule specs -> durable-rules ruleset definitions (JSON), chunked within limits.

Pure: builds JSON and projections, never imports durable. Negation has no
general form in durable-rules, so conditions are pushed into negation normal
form, each negated leaf spelled with the complementary op plus "or the slot is
absent" (absent = missing or another type). Every rule starts with the type
tag (a rule of only ``$nex`` would match the engine's own state fact and loop
forever) and rules are grouped into chunks that stay far from the limits:
at most MAX_TRUE results true at once (64 fails with error 303), MAX_CONDS
conditions (more than 512 freezes ruleset creation) and MAX_SLOTS
properties (more than 255 fails with error 302). A single rule may hold at most
MAX_NODES ``$and``/``$or`` nodes (16 fail with error 113); nested nodes of the
same kind are flattened so few rules come near it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

from workorders.definitions.conditions import All, AnyOf, Condition, Leaf, Not, Quantifier
from workorders.rules import semantics as sem
from workorders.rules.errors import RuleCompileError
from workorders.rules.model import RuleSpec
from workorders.rules.projection import Scope, encode_constant

TAG = "snap"
SENTINEL = "zz"
MAX_TRUE = 48
MAX_CONDS = 400
MAX_SLOTS = 200
#: ``$and``/``$or`` nodes per rule: each takes two of the 32 slots of durable-rules'
#: expression sequence (MAX_SEQUENCE_EXPRESSIONS); 16 fail with error 113
MAX_NODES = 15
_FLIP = {"eq": "$neq", "ne": "$eq", "gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}
_OPS = {"eq": "$eq", "ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


@dataclass(frozen=True, slots=True)
class DExpr:
    """A durable expression (or constant True/False) with its cost.

    ``true``: upper bound of results it can produce at once (``$or`` fires
    once per true branch); ``conds``: number of comparisons it adds.
    """

    json: Any
    true: int
    conds: int


TRUE = DExpr(True, 1, 0)
FALSE = DExpr(False, 0, 0)


def _atom(json: Any) -> DExpr:
    return DExpr(json, 1, 1)


def _merged(op: str, parts: list[DExpr]) -> dict[str, list[Any]]:
    """``{op: [...]}`` with nested ``op`` nodes flattened into it (same meaning,
    fewer nodes: durable-rules allows only MAX_NODES of them per rule)."""
    items: list[Any] = []
    for p in parts:
        nested = p.json.get(op) if isinstance(p.json, dict) and len(p.json) == 1 else None
        items.extend(nested if isinstance(nested, list) else [p.json])
    return {op: items}


def and_(*parts: DExpr) -> DExpr:
    kept = [p for p in parts if p.json is not True]
    if any(p.json is False for p in kept):
        return FALSE
    if len(kept) <= 1:
        return kept[0] if kept else TRUE
    return DExpr(_merged("$and", kept), prod(p.true for p in kept), sum(p.conds for p in kept))


def or_(*parts: DExpr, exclusive: bool = False) -> DExpr:
    """``$or``; ``exclusive`` when at most one branch can be true at a time."""
    kept = [p for p in parts if p.json is not False]
    if any(p.json is True for p in kept):
        return TRUE
    if len(kept) <= 1:
        return kept[0] if kept else FALSE
    true = max(p.true for p in kept) if exclusive else sum(p.true for p in kept)
    return DExpr(_merged("$or", kept), true, sum(p.conds for p in kept))


#: true for every item (no slot is named ``none``): see ``_closed``
ITEM_TRUE = DExpr({"$nex": {"$i.none": 1}}, 1, 1)


def _ends_in_or(json: Any) -> bool:
    if not isinstance(json, dict) or len(json) != 1:
        return False
    (key, value), = json.items()
    return key == "$or" or (key == "$and" and bool(value) and _ends_in_or(value[-1]))


def _closed(inner: DExpr) -> DExpr:
    """``inner`` ending in a test durable-rules can read back.

    For ``$iany``/``$iall`` durable-rules reads the type of the last node the
    item condition made; an ``$or`` ends in a forward node whose type is never
    set (rete.c, createAlpha), so creation was refused with error 102 whenever
    the heap held 0x09 or 0x0C there (deleted rulesets leave such bytes).
    """
    return and_(inner, ITEM_TRUE) if _ends_in_or(inner.json) else inner


def count_nodes(json: Any) -> int:
    """``$and``/``$or`` nodes anywhere in a rule's match (quantifiers included)."""
    if isinstance(json, dict):
        return sum((key in ("$and", "$or")) + count_nodes(value) for key, value in json.items())
    if isinstance(json, list):
        return sum(count_nodes(item) for item in json)
    return 0


class _Builder:
    def __init__(self, scope: Scope, rule_id: str) -> None:
        self.scope = scope
        self.rule_id = rule_id

    def expr(self, cond: Condition, neg: bool, depth: int = 0) -> DExpr:
        if depth > sem.MAX_DEPTH:
            raise RuleCompileError(f"conditions nested deeper than {sem.MAX_DEPTH}", self.rule_id)
        if isinstance(cond, Leaf):
            return self.leaf(cond, neg)
        if isinstance(cond, Not):
            return self.expr(cond.item, not neg, depth + 1)
        if isinstance(cond, All | AnyOf):
            parts = [self.expr(c, neg, depth + 1) for c in cond.items]
            return and_(*parts) if isinstance(cond, All) != neg else or_(*parts)
        return self.quantifier(cond, neg, depth)

    def quantifier(self, q: Quantifier, neg: bool, depth: int) -> DExpr:
        key, sub = self.scope.sub(q.fact)
        inner = _Builder(sub, self.rule_id).expr(q.where, neg, depth + 1)
        present, absent = _atom({"$ex": {key: 1}}), _atom({"$nex": {key: 1}})
        every = (q.kind == "all_items") != neg
        # negated: "not any_item(w)" = absent or all_items(not w), and dually, where
        # ``inner`` is already the negated ``where``; a constant inner settles it
        if inner.json is True:
            return TRUE if neg else present
        if inner.json is False:
            return absent if neg else FALSE
        inner = _closed(inner)
        test = _atom({"$iall" if every else "$iany": {key: inner.json}})
        test = DExpr(test.json, 1, 1 + inner.conds)
        return or_(absent, test, exclusive=True) if neg else test

    def _absent_or(self, key: str, other: DExpr) -> DExpr:
        return or_(_atom({"$nex": {key: 1}}), other, exclusive=True)

    def leaf(self, leaf: Leaf, neg: bool) -> DExpr:
        prepared = sem.check_leaf(leaf, self.rule_id)
        op, slot = leaf.op, self.scope.slot
        if op in ("missing", "present"):
            exists = (op == "present") != neg
            return _atom({"$ex" if exists else "$nex": {slot(leaf.fact, "p"): 1}})
        if op in _OPS:
            kind, value = prepared
            key, const = slot(leaf.fact, kind), encode_constant(kind, value)
            if neg:
                return self._absent_or(key, _atom({_FLIP[op]: {key: const}}))
            return _atom({_OPS[op]: {key: const}})
        if op in sem.SET_OPS:
            return self.membership(leaf, prepared, (op == "in") != neg)
        if op == "contains":
            return self.contains(leaf, prepared, neg)
        key = slot(leaf.fact, "mt", prepared)
        return _atom({key: not neg})

    def membership(self, leaf: Leaf, members: Sequence[tuple[str, Any]], is_in: bool) -> DExpr:
        by_kind: dict[str, list[Any]] = {}
        for kind, value in members:
            by_kind.setdefault(kind, []).append(encode_constant(kind, value))
        absent = _atom({"$nex": {self.scope.slot(leaf.fact, "p"): 1}})
        if is_in:
            eqs = or_(*(or_(*(_atom({self.scope.slot(leaf.fact, k): v}) for v in vs),
                            exclusive=True) for k, vs in by_kind.items()))
            # not (not_in) = missing or a member
            return or_(absent, eqs, exclusive=True) if leaf.op == "not_in" else eqs
        excluded = [self._absent_or(key, and_(*(_atom({"$neq": {key: v}}) for v in vs)))
                    for k, vs in by_kind.items() for key in [self.scope.slot(leaf.fact, k)]]
        present = _atom({"$ex": {self.scope.slot(leaf.fact, "p"): 1}})
        if leaf.op == "in":  # not (in): missing, or no member matched
            return or_(absent, and_(present, *excluded), exclusive=True)
        return and_(present, *excluded)

    def contains(self, leaf: Leaf, prepared: tuple[str, Any], neg: bool) -> DExpr:
        kind, value = prepared
        key, const = self.scope.slot(leaf.fact, f"list:{kind}"), encode_constant(kind, value)
        text = _atom({self.scope.slot(leaf.fact, "ct", value): not neg}) if kind == "text" else None
        if not neg:
            member = _atom({"$iany": {key: {"$i": const}}})
            return or_(text, member, exclusive=True) if text else member
        outside = self._absent_or(key, _atom({"$iall": {key: {"$neq": {"$i": const}}}}))
        return and_(text, outside) if text else outside


@dataclass(frozen=True)
class Chunk:
    """One durable ruleset: its definition, rule names -> positions, its projection."""

    definition: dict[str, Any]
    positions: dict[str, int]
    project: Callable[[Any], dict[str, Any]]


def _rule_json(expr: DExpr) -> dict[str, Any]:
    tag = DExpr({"t": TAG}, 1, 1)
    match = tag.json if expr.json is True else and_(tag, expr).json
    return {"all": [{"m": match}]}


def _cost(spec: RuleSpec) -> tuple[DExpr, int]:
    if spec.when is None:
        return TRUE, 0
    scope = Scope()
    expr = _Builder(scope, spec.id).expr(spec.when, False)
    if expr.true > MAX_TRUE or expr.conds > MAX_CONDS or len(scope) > MAX_SLOTS \
            or count_nodes(_rule_json(expr)) > MAX_NODES:
        raise RuleCompileError("condition too large for the engine (split it into rules)", spec.id)
    return expr, len(scope)


def check_rules(specs: Sequence[RuleSpec]) -> None:
    """Validate every rule against the shared limits (both engines call this)."""
    for spec in specs:
        _cost(spec)


def compile_chunks(specs: Sequence[RuleSpec]) -> list[Chunk]:
    """Group rules greedily, in order, into chunks within every budget.

    When every rule's slots fit one projection (MAX_SLOTS), all chunks share it:
    the engine then projects and serialises a document once per evaluation, not
    once per chunk (the largest fixed cost after durable-rules' own). Otherwise
    each chunk gets its own projection, so no fact exceeds the property limit.
    """
    shared = Scope()
    exprs = [TRUE if spec.when is None else _Builder(shared, spec.id).expr(spec.when, False)
             for spec in specs]
    if len(shared) <= MAX_SLOTS:
        groups = _group(specs, [(e, 0) for e in exprs], (MAX_TRUE, MAX_CONDS))
        return [_chunk(specs, group, shared, exprs) for group in groups]
    costs = [_cost(spec) for spec in specs]
    groups = _group(specs, costs, (MAX_TRUE, MAX_CONDS, MAX_SLOTS))
    return [_chunk(specs, group, Scope()) for group in groups]


def _group(specs: Sequence[RuleSpec], costs: Sequence[tuple[DExpr, int]],
           limits: tuple[int, ...]) -> list[list[int]]:
    groups: list[list[int]] = [[]]
    used = [0] * len(limits)
    for index, (expr, slots) in enumerate(costs):
        if expr.json is False:
            continue
        cost = [expr.true, expr.conds, slots][:len(limits)]
        if groups[-1] and any(u + c > m for u, c, m in zip(used, cost, limits, strict=True)):
            groups.append([])
            used = [0] * len(limits)
        groups[-1].append(index)
        used = [u + c for u, c in zip(used, cost, strict=True)]
    return [group for group in groups if group] or [[]]


def _chunk(specs: Sequence[RuleSpec], indexes: list[int], scope: Scope,
           built: Sequence[DExpr] | None = None) -> Chunk:
    """One ruleset; ``built`` holds expressions already made in ``scope``."""
    definition: dict[str, Any] = {}
    positions: dict[str, int] = {}
    for index in indexes:
        spec = specs[index]
        if built is not None:
            expr = built[index]
        else:
            expr = TRUE if spec.when is None else _Builder(scope, spec.id).expr(spec.when, False)
        definition[f"r{index}"] = _rule_json(expr)
        positions[f"r{index}"] = index
    definition[SENTINEL] = {"pri": 65535, "all": [{"m": {"t": TAG}}]}
    return Chunk(definition, positions, scope.project)
