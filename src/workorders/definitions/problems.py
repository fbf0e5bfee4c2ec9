"""Problems (errors and warnings) with their location, and the collector that
gathers them.

Every check reports through a :class:`Collector` with a JSON pointer only; the
collector looks the line and column up in the source's position index, so checks
never deal with text positions and every problem still names its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in a bundle, where it is and what to do."""

    path: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line or 0, self.column or 0, self.path)


def escape_token(token: str | int) -> str:
    """Escape one reference token for a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def split_pointer(path: str) -> list[str]:
    """The tokens of a JSON pointer, unescaped: the inverse of ``pointer``."""
    return [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")[1:]]


def pointer(*tokens: str | int) -> str:
    """Build ``/a/0/b`` from tokens; no tokens is the root ``""``."""
    return "".join("/" + escape_token(t) for t in tokens)


def join(base: str, *tokens: str | int) -> str:
    """Extend an existing pointer."""
    return base + pointer(*tokens)


@dataclass(frozen=True, slots=True)
class Positions:
    """Line/column (1-based) of every value, and of every mapping key, by pointer."""

    values: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: str, *, at_key: bool = False) -> tuple[int | None, int | None]:
        """Position of ``path``, else of its nearest ancestor that has one.

        ``at_key`` prefers the key's position (for "unknown key" errors), which is
        where an admin's eye goes.
        """
        if at_key and path in self.keys:
            return self.keys[path]
        probe = path
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (None, None)
            probe = probe.rsplit("/", 1)[0]


class Collector:
    """Gathers errors and warnings; never stops at the first one."""

    def __init__(self, positions: Positions | None = None) -> None:
        self.positions = positions or Positions()
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def _make(self, path: str, message: str, hint: str | None, at_key: bool) -> Problem:
        line, column = self.positions.locate(path, at_key=at_key)
        return Problem(path, line, column, message, hint)

    def error(
        self, path: str, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        self.errors.append(self._make(path, message, hint, at_key))

    def warn(
        self, path: str, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        self.warnings.append(self._make(path, message, hint, at_key))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.errors.extend(problems)

    def sorted_errors(self) -> tuple[Problem, ...]:
        return _sorted_unique(self.errors)

    def sorted_warnings(self) -> tuple[Problem, ...]:
        return _sorted_unique(self.warnings)


def _sorted_unique(problems: list[Problem]) -> tuple[Problem, ...]:
    """Sort by location; the same problem found twice is reported once."""
    return tuple(sorted(dict.fromkeys(problems), key=Problem.sort_key))
