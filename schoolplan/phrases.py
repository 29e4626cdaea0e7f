"""Words of a reminder that can be said again in the reader's language.

A reminder is written when the sweep finds it, but read in an e-mail later, in the language its
recipient chose (English or Spanish). A Phrase is the English text (it *is* a str, so pages,
logs and the reminder's title use it as before) that also keeps its msgid and values, stored
with the reminder (Reminder.phrase), so the e-mail says it again in the recipient's language
(Phrase.from_json(...).render()). Values: text as is (names, titles), a Day (a date written as
the language writes it), or a Phrase. The msgids are marked with gettext_noop where they are
written, so makemessages finds them.
"""

from datetime import date

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext


class Day:
    """A date in a phrase, written in the reader's language ("3 Dec 2026", "3 dic 2026")."""

    def __init__(self, value, format_string="j M Y"):
        self.value, self.format_string = value, format_string

    def render(self):
        return date_format(self.value, self.format_string)

    def as_json(self):
        return {"day": self.value.isoformat(), "format": self.format_string}


class Phrase(str):
    def __new__(cls, msgid, plural="", count=None, /, **values):
        with translation.override("en"):
            english = _say(msgid, plural, count, values)
        phrase = super().__new__(cls, english)
        phrase.msgid, phrase.plural, phrase.count, phrase.values = msgid, plural, count, values
        return phrase

    def render(self):
        """The phrase in the active language."""
        return _say(self.msgid, self.plural, self.count, self.values)

    def as_json(self):
        return {
            "msgid": self.msgid,
            "plural": self.plural,
            "count": self.count,
            "values": {name: _encode(value) for name, value in self.values.items()},
        }

    @classmethod
    def from_json(cls, data):
        values = {name: _decode(value) for name, value in data.get("values", {}).items()}
        return cls(data["msgid"], data.get("plural", ""), data.get("count"), **values)


def _say(msgid, plural, count, values):
    text = ngettext(msgid, plural, count) if plural else gettext(msgid)
    shown = {name: _render(value) for name, value in values.items()}
    if plural:
        shown.setdefault("count", count)
    return text % shown if shown else text


def _render(value):
    if isinstance(value, Phrase):
        return value.render()
    if isinstance(value, Day):
        return value.render()
    return value


def _encode(value):
    if isinstance(value, Phrase):
        return {"phrase": value.as_json()}
    if isinstance(value, Day):
        return value.as_json()
    if isinstance(value, date):
        return Day(value).as_json()
    return value


def _decode(value):
    if isinstance(value, dict) and "phrase" in value:
        return Phrase.from_json(value["phrase"])
    if isinstance(value, dict) and "day" in value:
        return Day(date.fromisoformat(value["day"]), value["format"])
    return value
