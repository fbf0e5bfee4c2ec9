"""Size checks made before an operator, a method or a filter builds its result.

Each check estimates the size of what is about to be built from its arguments
(``'x' * n`` is ``n`` characters, ``s.center(w)`` is ``w``) and refuses it with
``TemplateLimitError`` before any memory is taken. The static template checks
call the same functions on constant arguments, so validation refuses exactly
what a render would.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .sandbox_limits import (
    MAX_EXPONENT,
    MAX_INT_BITS,
    TemplateLimitError,
    check_length,
    check_number,
    check_percent_format,
    check_widths,
    length_of,
)

_SEQUENCES = (str, bytes, list, tuple)
BINOPS: Mapping[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_binop(name: str, left: Any, right: Any) -> None:
    """Refuse ``left <name> right`` when its result would be too large."""
    if name == "*":
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, _SEQUENCES) and _whole(count):
                check_length(len(sized) * count)
        if _whole(left) and _whole(right) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            check_number(1 << (MAX_INT_BITS + 1))
    elif name == "**":
        if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise TemplateLimitError(f"the template raises a number to a power above "
                                     f"{MAX_EXPONENT}")
        if _whole(left) and _whole(right) and left.bit_length() * right > MAX_INT_BITS + 1:
            check_number(1 << (MAX_INT_BITS + 1))
    elif name == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        check_length(len(left) + len(right))
    elif name == "%" and isinstance(left, str):
        check_percent_format(left)


def _text_arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str,
              default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _joined(items: Iterable[Any], separator: Any) -> int:
    items = list(items)
    check_length(len(items), "list")
    return sum(length_of(i) for i in items) + length_of(separator) * max(len(items) - 1, 0)


def _replaced(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if _whole(count) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _width(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0


#: method name -> the length of its result, for methods of texts and numbers that grow
_METHOD_SIZES: Mapping[str, Callable[..., float]] = {
    "center": lambda s, a, k: _width(_text_arg(a, k, 0, "width", 0)),
    "ljust": lambda s, a, k: _width(_text_arg(a, k, 0, "width", 0)),
    "rjust": lambda s, a, k: _width(_text_arg(a, k, 0, "width", 0)),
    "zfill": lambda s, a, k: _width(_text_arg(a, k, 0, "width", 0)),
    "expandtabs": lambda s, a, k: len(s) + str(s).count("\t")
    * _width(_text_arg(a, k, 0, "tabsize", 8)),
    "join": lambda s, a, k: _joined(a[0], s) if a else 0,
    "replace": lambda s, a, k: _replaced(s, *a[:3]) if len(a) >= 2 else 0,
    "translate": lambda s, a, k: len(s) * max(
        (length_of(v) for v in a[0].values() if v is not None), default=1)
    if a and isinstance(a[0], Mapping) else len(s),
    "to_bytes": lambda s, a, k: _width(_text_arg(a, k, 0, "length", 1)),
}


def check_method_call(method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a growing method of a text or number (``'x'.center(10**8)``) before it runs."""
    owner = getattr(method, "__self__", None)
    size = _METHOD_SIZES.get(getattr(method, "__name__", ""))
    if size is not None and isinstance(owner, str | bytes | int):
        check_length(size(owner, args, kwargs))


def _indented(s: Any, a: tuple[Any, ...], k: Mapping[str, Any]) -> float:
    width = _text_arg(a, k, 0, "width", 4)
    return length_of(s) + _lines(s) * (len(width) if isinstance(width, str) else _width(width))


def _wrapped(s: Any, a: tuple[Any, ...], k: Mapping[str, Any]) -> float:
    width = _width(_text_arg(a, k, 0, "width", 79)) or 1
    wrapstring = _text_arg(a, k, 2, "wrapstring", None) or "\n"
    return length_of(s) + (length_of(s) / width + _lines(s)) * len(str(wrapstring))


def _formatted(s: Any, a: tuple[Any, ...], k: Mapping[str, Any]) -> float:
    check_percent_format(str(s))
    return 0


#: filter name -> the length of its result from the value and the arguments
FILTER_SIZES: Mapping[str, Callable[[Any, tuple[Any, ...], Mapping[str, Any]], float]] = {
    "center": lambda s, a, k: _width(_text_arg(a, k, 0, "width", 80)),
    "indent": _indented,
    "wordwrap": _wrapped,
    "truncate": lambda s, a, k: min(length_of(s), _width(_text_arg(a, k, 0, "length", 255)))
    + length_of(_text_arg(a, k, 2, "end", "...")),
    "join": lambda s, a, k: _joined(s, _text_arg(a, k, 0, "d", "")),
    "replace": lambda s, a, k: _replaced(s, *a[:3]) if len(a) >= 2 else 0,
    "format": _formatted,
    "striptags": lambda s, a, k: length_of(s),
    "escape": lambda s, a, k: 6 * length_of(s),
    "e": lambda s, a, k: 6 * length_of(s),
    "forceescape": lambda s, a, k: 6 * length_of(s),
    "urlencode": lambda s, a, k: 9 * length_of(s),
    "batch": lambda s, a, k: _width(_text_arg(a, k, 0, "linecount", 1)),
    "slice": lambda s, a, k: _width(_text_arg(a, k, 0, "slices", 1)),
    "tojson": lambda s, a, k: _width(_text_arg(a, k, 0, "indent", 0)),
    "filesizeformat": lambda s, a, k: 0,
}


def check_filter(name: str, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse ``value|name(args)`` when its result would be too large."""
    check_length(length_of(value) if isinstance(value, str | bytes | list | tuple) else 0)
    size = FILTER_SIZES.get(name)
    if size is not None:
        check_length(size(value, args, kwargs))


def check_format_spec(spec: str) -> None:
    """``'{:>99999999}'.format(x)``: refuse huge widths and precisions."""
    check_widths(spec)
