"""Reading an uploaded CSV file: the checks every import makes before looking at a single row.

Each import (surveys, measurements, SPF results, the roster) checks all its rows first and writes
nothing on any error; the problems are listed with their place and column. A place is named one
way everywhere (Place): the line of the file, as a text editor numbers it (the header is line 1),
and the row of data, as people count them (the first answer is row 1; blank lines are not rows):
"Line 8 of the file (row 7 of responses)".
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_ERRORS_SHOWN = 20
# What a spreadsheet would run as a formula if a cell began with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A value for a CSV export that a spreadsheet shows and never runs."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Place:
    """Where a row of data is: its line in the file and its number among the data rows."""

    line: int
    number: int
    noun: str = "data"

    def __str__(self):
        return f"Line {self.line} of the file (row {self.number} of {self.noun})"

    @property
    def ref(self):
        """The place in the middle of a sentence ("also on line 3 (row 2 of results)")."""
        return f"line {self.line} (row {self.number} of {self.noun})"


HEADER_PLACE = "Line 1 of the file (the header)"
HEADER_REF = "line 1 (the header)"


class Record(list):
    """A row's cells, and the line of the file it starts on (a quoted cell may span lines)."""

    line = 1


def records(text):
    """The text's rows as Records; csv.Error if it is not valid CSV."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, start = [], 1
    for cells in reader:
        record = Record(cells)
        record.line = start
        out.append(record)
        start = reader.line_num + 1
    return out


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
        rows = records(text)
    except csv.Error as problem:
        raise error([f"The file is not valid CSV: {problem}."]) from None
    if not rows:  # e.g. nothing but a byte order mark: the checks above see bytes, not text
        raise error(["The file is empty."])
    return rows


def data_rows(rows, noun="data"):
    """(Place, cells) of the rows after the header that are not blank."""
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    return [
        (Place(getattr(row, "line", number + 1), number, noun), row)
        for number, row in enumerate(body, 1)
    ]
