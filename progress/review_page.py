"""The review page's rows as the templates show them: each box with its text, what the row showed
when it was loaded (sent back with a save, see progress.review_rows), the reason a save was
refused and, after a conflict, the other person's saved text beside the box.

A refused save shows back exactly what was posted (issue 18: nothing typed is lost). After a
conflict a box the person had not touched takes the newer saved text; one they typed in keeps
their text, and the other person's is shown beside it.
"""

from contextlib import suppress

from meetings.recording import RecordConflict
from schoolplan.forms import posted_ids, posted_int, posted_text

from .measurements import parse_value
from .review_rows import (
    STATUS_LABELS,
    ActivityEntry,
    RowConflict,
    Theirs,
    activity_states,
    shown_value,
)


def _text(value):
    """Posted text as stored: no NUL, the browser's CRLF line ends as LF."""
    return posted_text(value).replace("\r\n", "\n").replace("\r", "\n")


class Box:
    """One box of a row. Read like a form's bound field (value, errors, auto_id)."""

    def __init__(self, name, value, auto_id, was=None):
        self.name = name
        self.value = value
        self.was = value if was is None else was
        self.auto_id = auto_id
        self.errors = []
        self.theirs = None  # review_rows.Theirs, when someone's saved text collides with this
        self.updated = False  # took someone's newer text: the person had not touched this box

    def merge(self, saved, theirs, collided=False):
        """After a conflict: a box the person typed in keeps their text, beside the other
        person's when that changed too (theirs: a review_rows.Theirs); else it takes the saved
        text. What the row showed is then the saved text: a save from here overwrites it."""
        if _same(self.value, self.was):
            self.updated = not _same(saved, self.was)
            self.value = saved
        elif collided or (not _same(saved, self.was) and not _same(saved, self.value)):
            self.theirs = theirs
        self.was = saved


def _same(a, b):
    return (a or "").strip() == (b or "").strip()


class Row:
    """What every row has: its refusal, its conflict, what to announce."""

    dirty = False  # holds input that is not saved: the page's poll must not replace it
    announce = ""
    sent_stamp = ""  # the stamp of the row the person saved from, kept while it is refused

    @property
    def stamp(self):
        """What the page's poll compares: the row as the person has it (see saved_stamp)."""
        return self.sent_stamp or self.saved_stamp

    def __init__(self):
        self.errors = []  # reasons that concern no single box
        self.conflict = None

    def refuse(self, error=None):
        """Show why the save was refused (error: a ValidationError; None: the boxes' own)."""
        if error is None:
            pass
        elif isinstance(error, RecordConflict):
            self.conflict = error
            self.sent_stamp = ""  # the row now shows what is saved, theirs included
        elif hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                box = self.boxes.get(name)
                (box.errors if box else self.errors).extend(messages)
        else:
            self.errors.extend(error.messages)
        self.dirty = True
        self.announce = f"Not saved: {self.label}. " + (
            "Someone else saved it after you loaded it; both texts are shown."
            if self.conflict
            else "See the reason beside the box."
        )

    @property
    def has_record(self):
        """Something is saved in this row (perhaps before rows had versions: no author)."""
        return bool(self.saved_at)

    @property
    def refused(self):
        return bool(self.conflict or self.errors or any(b.errors for b in self.boxes.values()))


class ActivityRow(Row):
    template = "progress/_review_activity.html"

    def __init__(self, state, announce=""):
        super().__init__()
        activity = self.activity = state.activity
        self.state = state
        self.dom_id = f"row-activity-{activity.pk}"
        self.label = f"“{activity.title}”"
        self.announce = announce
        self.version = state.version
        self.plan_status_was = state.plan_status
        pk = activity.pk
        self.status = Box("status", state.status, f"status-{pk}")
        self.barriers = Box("barriers", state.barriers, f"barriers-{pk}")
        self.next_steps = Box("next_steps", state.next_steps, f"next-{pk}")
        self.metrics = []  # (outcome, metric, Box)
        for outcome in activity.outcomes.all():
            metric = getattr(outcome, "metric", None)
            box = None
            if metric is not None:
                current = state.values.get(metric.pk)
                value = shown_value(current.value) if current else ""
                box = Box(f"value-{metric.pk}", value, f"value-{metric.pk}")
            self.metrics.append((outcome, metric, box))
        self.boxes = {
            "status": self.status,
            "barriers": self.barriers,
            "next_steps": self.next_steps,
            **{box.name: box for _, _, box in self.metrics if box},
        }

    @property
    def saved_stamp(self):
        return self.state.stamp

    @property
    def saved_by(self):
        return self.state.saved_by

    @property
    def saved_at(self):
        return self.state.saved_at

    @property
    def plan_status_label(self):
        return STATUS_LABELS.get(self.state.plan_status, "")

    @classmethod
    def posted(cls, state, data):
        """The row as the person sent it, every box exactly as typed; row.entry is what to save
        (None when a box was refused)."""
        row = cls(state)
        row.sent_stamp = _text(data.get(f"stamp-{row.dom_id}"))[:500]
        row.version = posted_int(data.get("version"), maximum=2**31)
        row.plan_status_was = _text(data.get("plan_status_was"))
        for box in row.boxes.values():
            box.value = _text(data.get(box.name))
            box.was = _text(data.get(f"{box.name}_was"))
        if "status" not in data:  # a post without the box: the status is not being changed
            row.status.value = row.status.was = state.status
        row.dirty = True
        values, values_was = {}, {}
        for _, metric, box in row.metrics:
            if box is None:
                continue
            try:
                values[metric] = parse_value(box.value) if box.value.strip() else None
            except ValueError as error:
                box.errors.append(f"{error}.")
            # A value the row cannot have shown is left out: the save is taken as a change.
            with suppress(ValueError):
                values_was[metric.pk] = parse_value(box.was) if box.was.strip() else None
        if row.status.value not in STATUS_LABELS:
            row.status.errors.append("Choose an implementation status.")
        row.entry = None
        if not row.refused:
            row.entry = ActivityEntry(
                version=row.version,
                status=row.status.value,
                status_was=row.status.was,
                plan_status_was=row.plan_status_was,
                barriers=row.barriers.value,
                barriers_was=row.barriers.was,
                next_steps=row.next_steps.value,
                next_steps_was=row.next_steps.was,
                values=values,
                values_was=values_was,
            )
        return row

    def refuse(self, error=None):
        if isinstance(error, RowConflict):
            state = error.state
            self.state = state
            self.version = state.version
            self.plan_status_was = state.plan_status
            saved = {
                "status": state.status,
                "barriers": state.barriers,
                "next_steps": state.next_steps,
            }
            for _, metric, box in self.metrics:
                if box is not None:
                    current = state.values.get(metric.pk)
                    saved[box.name] = shown_value(current.value) if current else ""
            for name, text in saved.items():
                shown = STATUS_LABELS.get(text, text) if name == "status" else text
                theirs = error.theirs.get(name) or Theirs(shown, error.by, error.at)
                self.boxes[name].merge(text, theirs, collided=name in error.theirs)
        super().refuse(error)


class AttendanceRow(Row):
    template = "progress/_review_attendance.html"
    label = "the attendance"
    dom_id = "row-attendance"

    def __init__(self, review, invitations, announce=""):
        super().__init__()
        self.review = review
        self.invitations = invitations
        self.version = review.attendance_version
        self.announce = announce
        self.attended = {i.user_id for i in invitations if i.attended}
        self.attended_was = set(self.attended)
        self.theirs = None  # the names saved now, after a conflict
        self.updated = False
        self.boxes = {}

    @property
    def saved_stamp(self):
        return str(self.version if self.conflict else self.review.attendance_version)

    @property
    def saved_by(self):
        return self.review.attendance_recorded_by

    @property
    def saved_at(self):
        return self.review.attendance_recorded_at

    @property
    def has_record(self):
        return bool(self.saved_at) or any(i.attended for i in self.invitations)

    @property
    def people(self):
        """(invitation, ticked) for each invited person."""
        return [(i, i.user_id in self.attended) for i in self.invitations]

    @classmethod
    def posted(cls, review, invitations, data):
        row = cls(review, invitations)
        row.sent_stamp = _text(data.get(f"stamp-{row.dom_id}"))[:500]
        invited = {i.user_id for i in invitations}
        row.version = posted_int(data.get("version"), maximum=2**31)
        row.attended = posted_ids(data.getlist("attended")) & invited
        row.attended_was = posted_ids(data.getlist("attended_was")) & invited
        row.dirty = True
        return row

    @property
    def chosen(self):
        return [i.user for i in self.invitations if i.user_id in self.attended]

    def refuse(self, error=None):
        if isinstance(error, RecordConflict):
            saved = {person.pk for person in error.theirs["attended"]}
            # A box the person ticked or unticked keeps their choice; the others take theirs.
            touched = self.attended ^ self.attended_was
            merged = (self.attended & touched) | (saved - touched)
            self.updated = merged != self.attended
            if saved != merged:
                names = [i.user.display_name for i in self.invitations if i.user_id in saved]
                self.theirs = ", ".join(names) or "nobody"
            self.attended, self.attended_was = merged, saved
            self.version = error.version
        super().refuse(error)


class MinutesRow(Row):
    template = "progress/_review_minutes.html"
    label = "the minutes"
    dom_id = "row-minutes"

    def __init__(self, review, minutes, announce=""):
        super().__init__()
        self.review = review
        self.minutes = minutes
        self.announce = announce
        self.version = minutes.version if minutes else 0
        self.text = Box("text", minutes.text if minutes else "", "minutes")
        self.mark_held = False
        self.boxes = {"text": self.text}

    @property
    def saved_stamp(self):
        version = self.minutes.version if self.minutes else 0
        return f"{self.version if self.conflict else version}|{self.review.status}"

    @property
    def has_record(self):
        return self.minutes is not None

    @property
    def saved_by(self):
        return self.minutes.recorded_by if self.minutes else None

    @property
    def saved_at(self):
        return self.minutes.updated_at if self.minutes else None

    @classmethod
    def posted(cls, review, minutes, data):
        row = cls(review, minutes)
        row.sent_stamp = _text(data.get(f"stamp-{row.dom_id}"))[:500]
        row.version = posted_int(data.get("version"), maximum=2**31)
        row.text.value = _text(data.get("text"))
        row.text.was = _text(data.get("text_was"))
        row.mark_held = data.get("mark_held") == "on"
        row.dirty = True
        return row

    def refuse(self, error=None):
        if isinstance(error, RecordConflict):
            saved = error.theirs["text"]
            self.text.merge(saved, Theirs(saved, error.by, error.at))
            self.version = error.version
        super().refuse(error)


def activity_rows(review, activities):
    states = activity_states(review, activities)
    return [ActivityRow(states[a.pk]) for a in activities]


def changed_since(rows, data):
    """The rows whose stamp differs from the one the page sent (the poll)."""
    return [row for row in rows if data.get(f"stamp-{row.dom_id}", row.stamp) != row.stamp]
