"""Keeping spreadsheet formulas out of exported CSV cells (the OWASP rule).

A customer name or a description typed into a booking reaches the CSV as is; if it
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading those), a spreadsheet that opens the file runs it
as a formula, which can fetch URLs or start programs. Such a cell gets a leading
``'``, which spreadsheets show as text and do not display. A cell that is only a
plain number (``-12,50``, ``-12.50``, ``+3``) is left alone whatever its column: a
number cannot be a formula, and a credit note's negative amounts must stay numbers
for the ERP or the accountant who sums them.
"""

from __future__ import annotations

import re

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(cell: str) -> str:
    if cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
