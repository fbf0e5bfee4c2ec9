"""``csv``: one row per invoice line, for ERPs and spreadsheets that import files.

Nordic imports have no common layout (see the validators' erp-formats.md, §6), so
everything is configurable: ``columns`` (``{name, value}`` templates rendered per
line over ``line``, ``doc``, ``invoice`` and the case facts), ``delimiter`` (``;``),
``decimal`` (``,`` or ``.``; from the document's locale when not given),
``header`` (true) and ``encoding`` (``utf-8`` or ``windows-1252``). Numbers in
``line`` are already written with the chosen decimal separator. Text the
encoding cannot hold is an error naming the row, column and character rather
than a silent ``?`` in a customer's name. Cells that a spreadsheet would run as a
formula are neutralised (see :mod:`.csv_cells`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from ..document import InvoiceDocument, Line
from ..errors import EncodingProblem, OptionError
from ..serialize import plain, to_json_dict
from ..templating import (
    erp_article,
    erp_unit,
    mapping_option,
    option_context,
    render_template,
)
from .base import CREDITED_NUMBER, Format, Payload, Requirement
from .csv_cells import neutralise

ENCODINGS = ("utf-8", "windows-1252")
_COMMA_LANGUAGES = {"sv", "de", "fr", "nb", "nn", "no", "da", "fi", "is", "nl", "es", "it",
                    "pt", "pl"}


def default_decimal(locale: str | None) -> str:
    """',' for locales that write decimal commas (sv-SE, de, fr, nb, da, fi...), else '.'."""
    language = (locale or "en").replace("_", "-").split("-")[0].lower()
    return "," if language in _COMMA_LANGUAGES else "."


def render(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any]) -> Payload:
    delimiter = _delimiter(options)
    sep = options.get("decimal") or default_decimal(doc.locale)
    if sep not in (",", "."):
        raise OptionError("decimal", f"'{sep}' is neither ',' nor '.'")
    encoding = str(options.get("encoding") or "utf-8").lower()
    if encoding not in ENCODINGS:
        raise OptionError("encoding", f"'{encoding}' is not one of {', '.join(ENCODINGS)}")
    names, rows = _table(doc, options, template_context, sep)
    if options.get("header", True):
        rows.insert(0, names)
    rows = [[neutralise(cell) for cell in row] for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL,
               lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    try:
        body = text.encode(encoding)
    except UnicodeEncodeError:
        raise _encoding_problem(rows, names, encoding, bool(options.get("header", True))) from None
    return Payload(body, f"text/csv; charset={encoding}", "csv")


def _delimiter(options: Mapping[str, Any]) -> str:
    delimiter = options.get("delimiter", ";")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise OptionError("delimiter", f"{delimiter!r} is not a single separator character")
    return delimiter


def _num(sep: str) -> Callable[[Any], str]:
    return lambda value: "" if value is None else plain(value).replace(".", sep)


def _table(doc: InvoiceDocument, options: Mapping[str, Any],
           template_context: Mapping[str, Any], sep: str) -> tuple[list[str], list[list[str]]]:
    article_map = mapping_option(options, "article_map")
    unit_map = mapping_option(options, "unit_map")
    columns = options.get("columns")
    if not columns:
        fmt = _num(sep)
        names = [name for name, _ in DEFAULT_COLUMNS]
        maps = {"article": article_map, "unit": unit_map}
        return names, [[get(doc, line, maps, fmt) for _, get in DEFAULT_COLUMNS]
                       for line in doc.lines]
    if not isinstance(columns, list) or not all(
            isinstance(c, Mapping) and "name" in c and "value" in c for c in columns):
        raise OptionError("columns", "expected a list of {name, value}")
    context = option_context(doc, template_context)
    context["doc"] = to_json_dict(doc)
    rows = []
    for line in doc.lines:
        context["line"] = _line_context(line, sep, article_map, unit_map)
        rows.append([render_template(str(c["value"]), context,
                                     f"columns/{i}/value ({c['name']})")
                     for i, c in enumerate(columns)])
    return [str(c["name"]) for c in columns], rows


def _line_context(line: Line, sep: str, article_map: Mapping[str, str],
                  unit_map: Mapping[str, str]) -> dict[str, Any]:
    fmt = _num(sep)
    values = to_json_dict(line)
    for key in ("quantity", "unit_price", "vat_rate", "net_amount"):
        values[key] = fmt(getattr(line, key))
    values["erp_article"] = erp_article(line, article_map)
    values["erp_unit"] = erp_unit(line, unit_map) or line.unit_code
    return dict(values)


def _encoding_problem(rows: list[list[str]], names: list[str], encoding: str,
                      header: bool) -> EncodingProblem:
    for r, row in enumerate(rows):
        for name, cell in zip(names, row, strict=True):
            try:
                cell.encode(encoding)
            except UnicodeEncodeError as exc:
                char = cell[exc.start]
                where = "the header" if header and r == 0 else \
                    f"invoice line {r if header else r + 1}"
                return EncodingProblem(
                    f"CSV row {r + 1} ({where}), column '{name}': the character '{char}' "
                    f"(U+{ord(char):04X}) cannot be written in {encoding}; change the text "
                    "or use encoding utf-8", row=r + 1, column=name, character=char)
    raise AssertionError("the text failed to encode but no cell does")  # pragma: no cover


DEFAULT_COLUMNS: list[tuple[str, Callable[..., str]]] = [
    ("invoice_number", lambda d, x, m, f: d.number),
    ("kind", lambda d, x, m, f: d.kind),
    ("credited_number", lambda d, x, m, f: d.credited_number or ""),
    ("issue_date", lambda d, x, m, f: d.issue_date.isoformat()),
    ("due_date", lambda d, x, m, f: d.due_date.isoformat() if d.due_date else ""),
    ("case_number", lambda d, x, m, f: d.case.number),
    ("customer_number", lambda d, x, m, f: d.buyer.erp_id or ""),
    ("customer_name", lambda d, x, m, f: d.buyer.name),
    ("currency", lambda d, x, m, f: d.currency),
    ("line_no", lambda d, x, m, f: str(x.line_no)),
    ("line_kind", lambda d, x, m, f: x.kind),
    ("article_number", lambda d, x, m, f: x.article_number or ""),
    ("erp_article", lambda d, x, m, f: erp_article(x, m["article"]) or ""),
    ("description", lambda d, x, m, f: x.description),
    ("quantity", lambda d, x, m, f: f(x.quantity)),
    ("unit", lambda d, x, m, f: erp_unit(x, m["unit"]) or x.unit_code),
    ("unit_price", lambda d, x, m, f: f(x.unit_price)),
    ("vat_code", lambda d, x, m, f: x.vat_code),
    ("vat_rate", lambda d, x, m, f: f(x.vat_rate)),
    ("net_amount", lambda d, x, m, f: f(x.net_amount)),
]


def requirements(options: Mapping[str, Any]) -> list[Requirement]:
    return [CREDITED_NUMBER]


FORMAT = Format("csv", "CSV, one row per invoice line", render, requirements)
