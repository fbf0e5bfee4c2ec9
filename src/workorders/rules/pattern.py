"""The safe regex subset of ``matches``, matched in linear time.

Admins write these patterns, so a hostile one must not hang a worker: there are
no groups and no backreferences, and matching simulates a small NFA over the
text (time proportional to text length x pattern atoms; no backtracking).
Both engines use this matcher, so they agree by construction.

Syntax: literal characters; ``.`` (any character); classes ``[a-z0-9_]`` and
``[^...]``; escapes ``\\d \\w \\s`` and ``\\`` before any punctuation; quantifiers
``? * + {n} {n,} {n,m}`` (n, m <= 20) after an atom; ``|`` between whole
alternatives; a leading ``^`` / trailing ``$`` are accepted and ignored
(matching is always a full match).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_PATTERN_LENGTH = 200
MAX_ATOMS = 100
MAX_REPEAT = 20
#: texts longer than this never match (the bound keeps matching time small)
MAX_TEXT_LENGTH = 10_000

_ONE, _OPT, _STAR = 0, 1, 2
_CLASSES: dict[str, Callable[[str], bool]] = {
    "d": lambda c: "0" <= c <= "9",
    "w": lambda c: c.isascii() and (c.isalnum() or c == "_"),
    "s": lambda c: c in " \t\n\r\f\v",
}


class PatternError(ValueError):
    """The pattern is outside the supported subset."""


@dataclass(frozen=True, slots=True)
class _Atom:
    test: Callable[[str], bool]
    kind: int


def _equal(ch: str) -> Callable[[str], bool]:
    return lambda c: c == ch


def _between(lo: str, hi: str) -> Callable[[str], bool]:
    return lambda c: lo <= c <= hi


def _not_newline(c: str) -> bool:
    return c != "\n"


def _escape(ch: str) -> Callable[[str], bool]:
    if ch in _CLASSES:
        return _CLASSES[ch]
    if ch.isalnum():
        raise PatternError(f"unsupported escape \\{ch}")
    return lambda c: c == ch


def _read_class(src: str, i: int) -> tuple[Callable[[str], bool], int]:
    negate = i < len(src) and src[i] == "^"
    i += negate
    tests: list[Callable[[str], bool]] = []
    first = True
    while i < len(src) and (src[i] != "]" or first):
        first = False
        if src[i] == "\\" and i + 1 < len(src):
            tests.append(_escape(src[i + 1]))
            i += 2
        elif i + 2 < len(src) and src[i + 1] == "-" and src[i + 2] != "]":
            lo, hi = src[i], src[i + 2]
            if lo > hi:
                raise PatternError(f"bad range {lo}-{hi}")
            tests.append(_between(lo, hi))
            i += 3
        else:
            tests.append(_equal(src[i]))
            i += 1
    if i >= len(src):
        raise PatternError("unclosed [")
    if negate:
        return (lambda c: not any(t(c) for t in tests)), i + 1
    return (lambda c: any(t(c) for t in tests)), i + 1


def _read_repeat(src: str, i: int) -> tuple[int, int | None, int]:
    end = src.find("}", i)
    if end < 0:
        raise PatternError("unclosed {")
    body = src[i + 1 : end]
    lo_s, sep, hi_s = body.partition(",")
    if not lo_s.isdigit() or (hi_s and not hi_s.isdigit()):
        raise PatternError(f"bad repetition {{{body}}}")
    lo = int(lo_s)
    hi = None if sep and not hi_s else int(hi_s or lo_s)
    if lo > MAX_REPEAT or (hi is not None and (hi > MAX_REPEAT or hi < lo)):
        raise PatternError(f"repetition {{{body}}} outside 0..{MAX_REPEAT}")
    return lo, hi, end + 1


def _alternative(src: str) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch in "()":
            raise PatternError("groups are not supported")
        if ch in "*+?{":
            raise PatternError(f"quantifier {ch} without an atom")
        if ch == "[":
            test, i = _read_class(src, i + 1)
        elif ch == "\\":
            if i + 1 >= len(src):
                raise PatternError("trailing backslash")
            test, i = _escape(src[i + 1]), i + 2
        else:
            test = _not_newline if ch == "." else _equal(ch)
            i += 1
        lo, hi = 1, 1  # type: tuple[int, int | None]
        if i < len(src) and src[i] in "*+?{":
            q = src[i]
            if q == "{":
                lo, hi, i = _read_repeat(src, i)
            else:
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[q]
                i += 1
        atoms += [_Atom(test, _ONE)] * lo
        atoms += [_Atom(test, _STAR)] if hi is None else [_Atom(test, _OPT)] * (hi - lo)
    return tuple(atoms)


def _split_alternatives(src: str) -> list[str]:
    """Split on ``|`` outside classes and escapes."""
    parts, start, i, in_class = [], 0, 0, False
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            i += 2 if src[i + 1 : i + 2] in ("]", "^") else 1
            continue
        if ch == "]":
            in_class = False
        elif ch == "|" and not in_class:
            parts.append(src[start:i])
            start = i + 1
        i += 1
    parts.append(src[start:])
    return parts


class Pattern:
    """A compiled ``matches`` pattern; ``fullmatch(text)`` never backtracks."""

    def __init__(self, source: str) -> None:
        if not source or len(source) > MAX_PATTERN_LENGTH:
            raise PatternError(f"pattern must be 1..{MAX_PATTERN_LENGTH} characters")
        self.source = source
        body = source[1:] if source.startswith("^") else source
        if body.endswith("$") and not body.endswith("\\$"):
            body = body[:-1]
        self._alts = tuple(_alternative(part) for part in _split_alternatives(body))
        if sum(len(a) for a in self._alts) > MAX_ATOMS:
            raise PatternError(f"pattern expands to more than {MAX_ATOMS} atoms")

    def fullmatch(self, text: str) -> bool:
        if len(text) > MAX_TEXT_LENGTH:
            return False
        return any(self._run(atoms, text) for atoms in self._alts)

    @staticmethod
    def _run(atoms: tuple[_Atom, ...], text: str) -> bool:
        end = len(atoms)

        def close(states: set[int]) -> set[int]:
            todo = list(states)
            while todo:
                i = todo.pop()
                if i < end and atoms[i].kind != _ONE and i + 1 not in states:
                    states.add(i + 1)
                    todo.append(i + 1)
            return states

        current = close({0})
        for ch in text:
            nxt = {i if atoms[i].kind == _STAR else i + 1
                   for i in current if i < end and atoms[i].test(ch)}
            if not nxt:
                return False
            current = close(nxt)
        return end in current
