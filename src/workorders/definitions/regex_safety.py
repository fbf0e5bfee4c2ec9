"""Regular expressions written by admins: valid, bounded and not catastrophic.

Two dialects exist. Form field ``pattern`` is Python ``re`` (the forms package
validates submissions with it), so it must compile and must not contain nested
unbounded quantifiers such as ``(a+)+`` that backtrack exponentially on a crafted
value. A rule's ``matches`` runs in durable-rules' anchored, Lua-like engine, so it
is restricted to a small subset that means the same thing in both engines.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from .limits import MAX_MATCHES_LENGTH, MAX_PATTERN_LENGTH

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_parse

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_UNBOUNDED = 65535  # sre's MAXREPEAT for "no upper bound" fits in this test


def _children(name: str, arg: Any) -> list[Any]:
    """Sub-patterns of one parsed node (groups, alternatives, repeated bodies)."""
    if name in _REPEATS:
        return [arg[2]]
    if name == "SUBPATTERN":
        return [arg[-1]]
    if name == "BRANCH":
        return list(arg[1])
    return []


def _repeats_inside(items: Any) -> bool:
    """Whether a parsed (sub)pattern contains a quantifier that can repeat."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS and arg[1] > 1:
            return True
        if any(_repeats_inside(child) for child in _children(name, arg)):
            return True
    return False


def _nested_quantifier(items: Any) -> bool:
    """An unbounded repetition of something that itself repeats: (a+)+, (a*b?)*."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS and arg[1] >= _UNBOUNDED and _repeats_inside(arg[2]):
            return True
        if any(_nested_quantifier(child) for child in _children(name, arg)):
            return True
    return False


def python_pattern_problem(pattern: str) -> str | None:
    """Why a form field ``pattern`` is refused, or None when it is fine."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"the pattern is longer than {MAX_PATTERN_LENGTH} characters"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"the pattern is not a valid regular expression: {exc}"
    if _nested_quantifier(sre_parse.parse(pattern)):
        return ("the pattern nests repetitions (like (a+)+), which can take exponential "
                "time on some values")
    return None


_MATCH_ATOM = re.compile(r"\\[dws.\\\-^$\[\]*+?]|\[\^?(?:\\[dws\\\]\-]|[^\]\\])+\]|[^\\()[\]{}|]")
_QUANT = "*+?"


def matches_problem(pattern: Any) -> str | None:
    """Why a rule's ``matches`` value is outside the engine's safe subset, or None.

    The subset: literal characters, ``.``, classes ``[a-z0-9]`` / ``[^...]``, the
    escapes ``\\d \\w \\s`` and escaped punctuation, each optionally followed by one
    of ``* + ?``, and optional ``^``/``$`` anchors. The whole value must match (the
    engine anchors), so write ``.*word.*`` for "contains". No groups, alternation,
    counted repetition or back-references.
    """
    if not isinstance(pattern, str) or not pattern:
        return "the value of 'matches' must be a non-empty regular expression"
    if len(pattern) > MAX_MATCHES_LENGTH:
        return f"the pattern is longer than {MAX_MATCHES_LENGTH} characters"
    body = pattern.removeprefix("^")
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    i = 0
    while i < len(body):
        atom = _MATCH_ATOM.match(body, i)
        if atom is None:
            return (f"'{body[i]}' at position {i + 1} is outside the supported regex subset "
                    "(no groups, |, {m,n} or back-references)")
        i = atom.end()
        if i < len(body) and body[i] in _QUANT:
            i += 1
            if i < len(body) and body[i] in _QUANT:
                return "a quantifier cannot follow another quantifier"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"the pattern is not a valid regular expression: {exc}"
    return None
