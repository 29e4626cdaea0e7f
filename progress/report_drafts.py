"""A progress report's draft, written by the CIM team together (DOMAIN.md, 2026-12: several
people may type at once, and nobody's words may be lost).

The draft has parts: the summary, each High-Leverage Strategy's barriers and next steps and, for
Targeted 1, whether it also goes to the SELPA. The page sends the draft's edit version and, with
each part, a token of the text it showed (its base). A part is saved when this person changed it
and nobody else did meanwhile; a part both changed is refused, for that part only, and shown back
with the other person's text, who saved it and when. A part this person did not touch keeps what
is saved. Targeted 2 may attach the SELPA's own form (seed 001: "on the SELPA's form").
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.dateparse import parse_datetime

from schoolplan import clock
from schoolplan.forms import posted_int, posted_text
from schoolplan.models import CimStatus

from .models import ProgressReport

SUMMARY = "summary"
SELPA = "send_to_selpa"
STRATEGY_PARTS = ("barriers", "next_steps")
SELPA_FORM_MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SELPA_FORM_TYPES = {".pdf": "application/pdf", ".docx": DOCX}


class ReportSubmitted(Exception):
    """A save reached a report submitted after the page was opened: nothing was saved."""

    def __init__(self, report):
        super().__init__("The report is submitted: nothing was saved.")
        self.report = report


def normalise(text):
    """Text as the draft keeps it: a browser sends CRLF line ends; the ends are trimmed."""
    return posted_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def token(value):
    """What the page says it showed of a part: short, stable, not the text itself."""
    text = ("1" if value else "0") if isinstance(value, bool) else normalise(value)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def parts(report, strategy_ids):
    """The draft's parts as saved: key -> text (or bool for the SELPA box)."""
    values = {SUMMARY: normalise(report.summary)}
    for strategy_id in strategy_ids:
        saved = report.narratives.get(str(strategy_id), {})
        for part in STRATEGY_PARTS:
            values[f"{part}-{strategy_id}"] = normalise(saved.get(part, ""))
    values[SELPA] = bool(report.send_to_selpa)
    return values


def part_label(key, strategy_numbers):
    if key == SUMMARY:
        return "Summary of the period"
    if key == SELPA:
        return "Also send it to the SELPA"
    part, _, strategy_id = key.partition("-")
    name = "Barriers" if part == "barriers" else "Next steps"
    number = strategy_numbers.get(posted_int(strategy_id))
    return f"{name} (High-Leverage Strategy {number})" if number else name


@dataclass
class Conflict:
    """A part someone else saved after this person's page was opened."""

    key: str
    yours: object
    theirs: object
    by: str
    at: datetime | None


@dataclass
class Draft:
    """What a save did: the report as it is now, the parts saved, and those refused."""

    report: ProgressReport
    saved: list = field(default_factory=list)
    conflicts: dict = field(default_factory=dict)
    posted: dict = field(default_factory=dict)
    sign_off_withdrawn: bool = False


def read_post(post, strategy_ids):
    """The parts a page sent, their bases and the edit version it showed. A part the page did
    not show is not sent, and keeps what is saved; the SELPA box counts only where shown."""
    posted, bases = {}, {}
    keys = [SUMMARY] + [f"{p}-{s}" for s in strategy_ids for p in STRATEGY_PARTS]
    for key in keys:
        if key in post:
            posted[key] = normalise(post.get(key))
            if f"base-{key}" in post:
                bases[key] = post.get(f"base-{key}")
    if f"base-{SELPA}" in post:
        posted[SELPA] = post.get(SELPA) == "on"
        bases[SELPA] = post.get(f"base-{SELPA}")
    return posted, bases, posted_int(post.get("edit_version"))


def who_saved(report, key):
    """(name, moment) of the last save of a part, from the report's record of its edits."""
    edit = report.part_edits.get(key) or {}
    at = parse_datetime(edit["at"]) if edit.get("at") else None
    return edit.get("name") or "Someone", at


def _edit_record(user, when, edit_version):
    name = getattr(user, "display_name", "") or getattr(user, "username", "") or "Someone"
    return {
        "by": getattr(user, "pk", None),
        "name": name,
        "at": when.isoformat(),
        "edit": edit_version,
    }


@transaction.atomic
def save_draft(report, *, user, posted, bases, edit_version, strategy_ids, selpa_form=None):
    """Save the parts this person changed that nobody else changed since their page showed
    edit_version; refuse the others (Draft.conflicts), keeping what they typed in Draft.posted.
    selpa_form: (name, type, bytes), already checked by check_selpa_form."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ReportSubmitted(report)
    current = parts(report, strategy_ids)
    draft = Draft(report=report, posted=posted)
    changes = {}
    for key, value in posted.items():
        if key not in current or value == current[key]:
            continue
        base = bases.get(key)
        if base is not None and token(value) == base:
            continue  # this person left it as shown; someone else's newer text stays
        someone_else = edit_version != report.edit_version and (
            base is None or token(current[key]) != base
        )
        if someone_else:
            by, at = who_saved(report, key)
            draft.conflicts[key] = Conflict(key, value, current[key], by, at)
        else:
            changes[key] = value
    if selpa_form is not None:
        _attach(report, selpa_form)
        changes["selpa_form"] = selpa_form[0]
    if not changes:
        return draft
    narratives = {key: dict(value) for key, value in report.narratives.items()}
    for key, value in changes.items():
        if key == SUMMARY:
            report.summary = value
        elif key == SELPA:
            report.send_to_selpa = value
        elif key != "selpa_form":
            part, _, strategy_id = key.partition("-")
            narratives.setdefault(strategy_id, {})[part] = value
    report.narratives = narratives
    report.edit_version += 1
    now = clock.now()
    report.part_edits = {
        **report.part_edits,
        **{key: _edit_record(user, now, report.edit_version) for key in changes},
    }
    # Any change after the lead's sign-off needs their sign-off again.
    draft.sign_off_withdrawn = report.signed_off_by_id is not None
    report.signed_off_by = report.signed_off_at = None
    report.save()
    draft.saved = list(changes)
    return draft


# --- The SELPA's own form (Targeted 2) -----------------------------------------------------------


def takes_selpa_form(report):
    """Targeted 2 reports go to the SELPA on the SELPA's form (seed 001)."""
    from .reports.periods import level_in_force

    return level_in_force(report.due) == CimStatus.TARGETED_2


def check_selpa_form(report, upload):
    """(name, content type, bytes) of an uploaded SELPA form, or a ValidationError on the
    selpa_form field that says what is wrong. The type is read from the file, not trusted from
    the browser: a PDF starts %PDF-, a DOCX is a zip holding word/document.xml."""
    if not takes_selpa_form(report):
        raise ValidationError(
            {"selpa_form": "Only a Targeted 2 report is sent on the SELPA's own form."}
        )
    name = posted_text(upload.name).replace("/", "_").replace("\\", "_").strip()[-200:]
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    if extension not in SELPA_FORM_TYPES:
        raise ValidationError(
            {
                "selpa_form": f"“{name}” is not a PDF or Word (.docx) file: attach the SELPA's "
                "form as a .pdf or a .docx."
            }
        )
    if upload.size > SELPA_FORM_MAX_BYTES:
        raise ValidationError(
            {
                "selpa_form": f"“{name}” is {filesizeformat(upload.size)}; the SELPA's form may be "
                f"at most {filesizeformat(SELPA_FORM_MAX_BYTES)}."
            }
        )
    data = upload.read()
    if not data:
        raise ValidationError({"selpa_form": f"“{name}” is empty."})
    kind = SELPA_FORM_TYPES[extension]
    if kind == "application/pdf" and not data.startswith(b"%PDF-"):
        raise ValidationError({"selpa_form": f"“{name}” is named .pdf but is not a PDF file."})
    if kind == DOCX and not _is_docx(data):
        raise ValidationError(
            {"selpa_form": f"“{name}” is named .docx but is not a Word document."}
        )
    return name, kind, data


def _is_docx(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _attach(report, selpa_form):
    """Store the form as a new file (the one it replaces goes once the save commits:
    schoolplan.uploads); its name, type, size and SHA-256 go in the row."""
    name, kind, data = selpa_form
    report.selpa_form.save(name, ContentFile(data), save=False)
    report.selpa_form_name, report.selpa_form_type = name, kind
    report.selpa_form_size = len(data)
    report.selpa_form_sha256 = hashlib.sha256(data).hexdigest()


def attach_copy(report, source):
    """A correction starts with its own copy of the submitted version's form."""
    with source.selpa_form.open("rb") as stored:
        data = stored.read()
    _attach(report, (source.selpa_form_name, source.selpa_form_type, data))


def selpa_form_bytes(report):
    """The stored form, checked against the SHA-256 the report recorded (and froze, once
    submitted): a file changed or lost in storage is not sent in its place."""
    with report.selpa_form.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != report.selpa_form_sha256:
        raise ValidationError(
            f"Not sent: the stored copy of “{report.selpa_form_name}” is not the file that was "
            "attached (its SHA-256 differs). Attach the SELPA form again."
        )
    return data


@transaction.atomic
def remove_selpa_form(report, *, user):
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ReportSubmitted(report)
    if not report.selpa_form_name:
        return report
    report.selpa_form, report.selpa_form_name, report.selpa_form_size = "", "", 0
    report.selpa_form_type = report.selpa_form_sha256 = ""
    report.edit_version += 1
    record = _edit_record(user, clock.now(), report.edit_version)
    report.part_edits = {**report.part_edits, "selpa_form": record}
    report.signed_off_by = report.signed_off_at = None
    report.save()
    return report


# --- What the page's boxes show -------------------------------------------------------------------


@dataclass
class Box:
    """One part of the draft on the page: the text shown, the base token it carries, and the
    other person's newer text when a save of it was refused."""

    key: str
    label: str
    value: object
    base: str
    conflict: Conflict | None = None


def boxes(report, strategy_numbers, *, draft=None, kept=None):
    """key -> Box. On a refused save, what the person typed stays: a conflicting part shows
    theirs typed (with the other text beside it, and the other text's base, so that saving again
    keeps theirs, now seen); kept=(posted, bases) is a save refused as a whole (a bad upload):
    everything as typed, on the bases the page had."""
    current = parts(report, strategy_numbers)
    conflicts = draft.conflicts if draft is not None else {}
    posted, bases = kept or ({}, {})
    shown = {}
    for key, value in current.items():
        if key in conflicts:
            text, base = conflicts[key].yours, token(value)
        elif key in posted:
            text, base = posted[key], bases.get(key, "")
        else:
            text, base = value, token(value)
        label = part_label(key, strategy_numbers)
        shown[key] = Box(key, label, text, base, conflicts.get(key))
    return shown
