"""Projection: the fact document reduced to typed slots durable-rules compares safely.

durable-rules fails on documents with more than 255 flattened properties,
cannot parse floats like ``1e-05``, never matches integers beyond int64 or NaN,
and coerces across types (``"abc" > 5`` is true). So each evaluation sends only
the slots the rules reference, each holding one kind of value:

- ``p``: 1 when the fact is present (absent otherwise: missing/present tests);
- ``number``: the number as a *scaled integer* (see ``encode_number``);
- ``text``/``bool``: the value when it is a non-empty string / a bool;
- ``date``: the date's ordinal;
- ``list:<kind>``: the list's items of that kind (membership for ``contains``);
- ``ct:<text>`` / ``mt:<pattern>``: the boolean outcome of text ``contains`` /
  ``matches``, computed here by the shared semantics (durable's regex works on
  bytes in its own dialect, and it has no negated match);
- ``q``: a quantified list, each item projected by a nested scope.

A slot is left out whenever the value is not of its kind, so a type mismatch
never reaches durable-rules' coercions: absence makes every comparison false.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any

from workorders.rules import semantics as sem
from workorders.rules.evaluator import make_getter
from workorders.rules.pattern import Pattern

ABSENT: Any = object()
_SCALE = Decimal(10) ** sem.SCALE
#: encoded magnitudes are clamped here, well inside int64 and above any constant
_LIMIT = int(sem.MAX_CONSTANT * _SCALE)


@lru_cache(maxsize=8192)
def encode_number(number: int | Decimal) -> int:
    """Exact order-preserving integer for comparisons with rule constants.

    ``2 * floor(x * 10^6) + r`` where ``r`` is 1 when ``x`` has digits beyond
    the sixth decimal (or is out of range). Rule constants have at most six
    decimals and are encoded as ``2 * c * 10^6``, so ``=, <, >`` between the
    encodings equal the exact decimal comparisons; the result always fits int64.
    Cached: a tenant's documents repeat the same few amounts and quantities, and
    equal numbers (``9``, ``Decimal("9.0")``) share one encoding by definition.
    """
    scaled = Decimal(number) * _SCALE
    floor = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
    rest = 1 if scaled != floor else 0
    if floor >= _LIMIT:
        return 2 * _LIMIT + 1
    if floor < -_LIMIT:
        return -2 * _LIMIT - 1
    return 2 * floor + rest


def encode_constant(kind: str, value: Any) -> Any:
    """A rule constant in the same encoding as its slot."""
    return encode_number(value) if kind == "number" else value


@lru_cache(maxsize=8192)
def _number_slot(value: str | int | Decimal) -> Any:
    """The slot value of a hashable scalar: its encoding, or ABSENT (not a number)."""
    number = sem.as_number(value)
    return ABSENT if number is None else encode_number(number)


def _number(a: Any) -> Any:
    kind = type(a)
    # bool is excluded by the exact type test; a signalling NaN cannot be hashed
    if kind is str or kind is int or (kind is Decimal and a.is_finite()):
        return _number_slot(a)
    number = sem.as_number(a)
    return ABSENT if number is None else encode_number(number)


def _kind_converter(kind: str) -> Callable[[Any], Any]:
    if kind == "number":
        return _number
    if kind == "date":
        return lambda a: ABSENT if sem.as_date(a) is None else sem.as_date(a)
    if kind == "text":
        return _text
    return _bool


def _text(a: Any) -> Any:
    return a if type(a) is str and a else ABSENT


def _bool(a: Any) -> Any:
    return a if type(a) is bool else ABSENT


def _present(a: Any) -> Any:
    return ABSENT if sem.is_missing(a) else 1


#: converters ``compile_plan`` writes inline (``a`` is known not to be None there)
_INLINE = {
    _text: "  if type(a) is str and a: out[{name}] = a",
    _bool: "  if type(a) is bool: out[{name}] = a",
    _present: "  if a != '' and (type(a) is not list or a): out[{name}] = 1",
}


def _converter(kind: str, extra: Any) -> Callable[[Any], Any]:
    if kind == "p":
        return _present
    if kind.startswith("list:"):
        item = _kind_converter(kind[5:])

        def members(a: Any) -> Any:
            if type(a) is not list:
                return ABSENT
            out = [v for v in map(item, a) if v is not ABSENT]
            return out or ABSENT
        return members
    if kind == "ct":
        return lambda a: type(a) is str and extra in a
    if kind == "mt":
        pattern: Pattern = extra
        return lambda a: type(a) is str and a != "" and pattern.fullmatch(a)
    return _kind_converter(kind)


#: one fact's part of a projection plan: its getter, its slots, what the slots
#: hold when the fact is absent (precomputed: most facts usually are), its path
_Step = tuple[Callable[[Any], Any], tuple[tuple[str, Callable[[Any], Any]], ...],
              tuple[tuple[str, Any], ...], tuple[str, ...]]


class Scope:
    """Slots of one object level (the document, or one item of a list)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self._slots: dict[tuple[str, str, Any], str] = {}
        self._entries: list[tuple[str, str, Callable[[Any], Any]]] = []
        self._getters: dict[str, Callable[[Any], Any]] = {}
        self._subs: dict[str, Scope] = {}
        self._plan: Callable[[Any], dict[str, Any]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def slot(self, fact: str, kind: str, extra: Any = None) -> str:
        """The key (with ``$i.`` inside items) of the slot for ``fact`` as ``kind``."""
        key = (fact, kind, extra.source if isinstance(extra, Pattern) else extra)
        if key not in self._slots:
            name = f"a{len(self._entries)}"
            self._slots[key] = name
            if fact not in self._getters:
                self._getters[fact] = make_getter(fact)
            self._entries.append((name, fact, self._make(fact, kind, extra, name)))
            self._plan = None
        return self.prefix + self._slots[key]

    def _make(self, fact: str, kind: str, extra: Any, name: str) -> Callable[[Any], Any]:
        if kind != "q":
            return _converter(kind, extra)
        sub = self._subs[name] = Scope("$i.")

        def items(a: Any) -> Any:
            if type(a) is not list or not a:
                return ABSENT
            return [sub.project(item) for item in a]
        return items

    def sub(self, fact: str) -> tuple[str, Scope]:
        """The slot of a quantified list and the scope of its items."""
        key = self.slot(fact, "q")
        return key, self._subs[key[len(self.prefix):]]

    def _build_plan(self) -> Callable[[Any], dict[str, Any]]:
        """Slots grouped by fact (each fact read once), compiled to one function."""
        by_fact: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {}
        for name, fact, convert in self._entries:
            by_fact.setdefault(fact, []).append((name, convert))
        plan = []
        for fact, converters in by_fact.items():
            when_absent = tuple((name, value) for name, convert in converters
                                if (value := convert(None)) is not ABSENT)
            plan.append((self._getters[fact], tuple(converters), when_absent,
                         sem.path_of(fact)))
        self._plan = compile_plan(plan)
        return self._plan

    def project(self, obj: Any) -> dict[str, Any]:
        """The projected object: only present slots, in the engine's encodings."""
        plan = self._plan if self._plan is not None else self._build_plan()
        return plan(obj)


def _read(i: int, path: tuple[str, ...], heads: dict[str, str],
          lines: list[str], namespace: dict[str, Any]) -> None:
    """Code setting ``a`` to fact ``i``: one- and two-step paths are read inline,
    each first step once per projection; longer paths call their getter."""
    if len(path) > 2:
        lines.append(f" a = get{i}(obj)")
        return
    head = heads.get(path[0])
    if head is None:
        head = heads[path[0]] = f"h{len(heads)}"
        namespace[f"key_{head}"] = path[0]
        lines.append(f" {head} = obj.get(key_{head}) if type(obj) is dict else None")
    if len(path) == 1:
        lines.append(f" a = {head}")
    else:
        namespace[f"key{i}"] = path[1]
        lines.append(f" a = {head}.get(key{i}) if type({head}) is dict else None")


def compile_plan(plan: list[_Step]) -> Callable[[Any], dict[str, Any]]:
    """One straight-line Python function for a projection plan.

    The per-slot loop was the largest cost left in an evaluation, so the plan is
    unrolled. The generated text holds only indexes, variable names and slot
    names made here (``a<n>``), never a fact path or value from a bundle: path
    keys, getters, converters and constants are passed in as objects.
    """
    lines = ["def project(obj):", " out = {}"]
    namespace: dict[str, Any] = {"ABSENT": ABSENT}
    heads: dict[str, str] = {}
    for i, (get, converters, when_absent, path) in enumerate(plan):
        namespace[f"get{i}"], namespace[f"absent{i}"] = get, when_absent
        _read(i, path, heads, lines, namespace)
        lines.append(" if a is None:")
        lines += [f"  out[{name!r}] = absent{i}[{k}][1]" for k, (name, _) in
                  enumerate(when_absent)] or ["  pass"]
        lines.append(" else:")
        for k, (name, convert) in enumerate(converters):
            if convert in _INLINE:
                lines.append(_INLINE[convert].format(name=repr(name)))
                continue
            namespace[f"conv{i}_{k}"] = convert
            lines.append(f"  v = conv{i}_{k}(a)")
            lines.append(f"  if v is not ABSENT: out[{name!r}] = v")
    lines.append(" return out")
    exec(compile("\n".join(lines), "<projection plan>", "exec"), namespace)
    project: Callable[[Any], dict[str, Any]] = namespace["project"]
    return project
