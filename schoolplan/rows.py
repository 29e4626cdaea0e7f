"""Formatting for pages and rules that handle many rows at once (a dashboard of a thousand
schools, the reminder sweep): days written without strftime, URLs filled in without the
resolver. Both cost more per row than everything else a row does (bench/dashboard_bench.py)."""

from django.urls import reverse
from django.utils.dateformat import format as format_date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_day(value):
    """ "3 Oct" (as strftime's "%-d %b" writes it)."""
    return f"{value.day} {MONTHS[value.month - 1]}"


def day_and_year(value):
    """ "3 Oct 2026" (as strftime's "%-d %b %Y" writes it)."""
    return f"{short_day(value)} {value.year}"


def long_day(value):
    """ "3 Oct 2026" in the active language's month names (Django's "j M Y")."""
    return format_date(value, "j M Y")


class Links:
    """URLs of many objects of one kind: reverse() once, then fill in the id."""

    def __init__(self, name, placeholder=987654321):
        self.pattern = reverse(name, args=[placeholder]).replace(str(placeholder), "{}")

    def __call__(self, pk):
        return self.pattern.format(pk)


def clock_time(moment):
    """ "5:30 PM": English times are 12-hour everywhere (issue 23). moment: already local."""
    return format_date(moment, "g:i A")


def day_and_time(moment):
    """ "4 Dec 2026, 5:30 PM" for a local moment (an edit's stamp, a conflict's time)."""
    return format_date(moment, "j M Y, g:i A")
