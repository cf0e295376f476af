"""CSV exports that open cleanly in a Danish spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# Danish spreadsheets use the comma as decimal mark and expect semicolons between cells.
DELIMITER = ";"
# A cell starting with one of these would run as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Return a value as a cell that a spreadsheet shows as text and never runs."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_bytes(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """Return the table as semicolon-separated UTF-8 with a byte-order mark (for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER)
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
