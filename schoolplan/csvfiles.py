"""Reading an uploaded CSV file: the checks every import makes before looking at a single row.

Each import (surveys, measurements, SPF results) checks all its rows first and writes nothing on
any error; the problems are listed with their row (as a spreadsheet numbers it, the header being
row 1) and column.
"""

import csv
import io

from django.core.exceptions import ValidationError

MAX_ERRORS_SHOWN = 20
# What a spreadsheet would run as a formula if a cell began with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A value for a CSV export that a spreadsheet shows and never runs."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class CsvImportError(ValidationError):
    """Every problem found, the first MAX_ERRORS_SHOWN listed after a lead line."""

    lead = "Nothing was imported. Fix the file and upload it again."

    def __init__(self, errors):
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(f"… and {len(errors) - MAX_ERRORS_SHOWN} more problems.")
        super().__init__([self.lead, *shown])


def read_rows(data, *, max_bytes, error=CsvImportError):
    """The file's rows (lists of cells), or error naming why the file cannot be read at all."""
    if not data or not data.strip():
        raise error(["The file is empty."])
    if len(data) > max_bytes:
        raise error([f"The file is larger than {max_bytes // (1024 * 1024)} MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise error(
            [
                f"The file is not UTF-8 text (unreadable byte at position {problem.start}). In "
                "your spreadsheet, save it as “CSV UTF-8”."
            ]
        ) from None
    if "\x00" in text:
        raise error(["The file is not a CSV text file."])
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as problem:
        raise error([f"The file is not valid CSV: {problem}."]) from None
    if not rows:  # e.g. nothing but a byte order mark: the checks above see bytes, not text
        raise error(["The file is empty."])
    return rows


def data_rows(rows):
    """(row number, cells) of the rows after the header that are not blank."""
    return [(number, row) for number, row in enumerate(rows[1:], 2) if any(c.strip() for c in row)]
