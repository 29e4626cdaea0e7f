from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .models import FAMILY_LANGUAGES, CimStatus, District, School, SchoolYear


class FamilyLanguagesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", FAMILY_LANGUAGES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Family languages")
        kwargs.setdefault(
            "help_text", "Languages families speak at home; meetings offer interpretation in them."
        )
        super().__init__(**kwargs)


class SchoolForm(forms.ModelForm):
    """District staff edit everything; a principal edits the school's family languages."""

    family_languages = FamilyLanguagesField()

    class Meta:
        model = School
        fields = ["name", "level", "title_i", "essa_designation", "family_languages", "public_slug"]

    def __init__(self, *args, principal_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if principal_only:
            for name in list(self.fields):
                if name != "family_languages":
                    del self.fields[name]


class DistrictForm(forms.ModelForm):
    class Meta:
        model = District
        fields = [
            "name",
            "time_zone",
            "selpa_name",
            "selpa_contact_name",
            "selpa_contact_email",
            "cde_consultant_name",
            "cde_consultant_email",
            "cpm_contact_name",
            "cpm_contact_email",
        ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CimLevelForm(forms.Form):
    """District staff record the CIM monitoring status from a day on (schoolplan/cim_levels.py
    checks the rest: the year, submitted periods, a status already in force)."""

    status = forms.ChoiceField(label="CIM monitoring status", choices=CimStatus.choices)
    effective_on = forms.DateField(
        label="In force from",
        widget=DateInput(),
        help_text="The first day the status applies. The report schedule changes from this day; "
        "periods already submitted stay as they were.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Where the status comes from, e.g. the CDE letter and its date.",
    )


SCHOOL_YEAR_DATES = [
    "kick_off_opens",
    "kick_off_closes",
    "check_in_opens",
    "check_in_closes",
    "wrap_up_opens",
    "wrap_up_closes",
    "spf_sharing_opens",
    "spf_sharing_closes",
    "essa_plan_due",
]


class SchoolYearForm(forms.ModelForm):
    """The year's windows; the model's clean() names any window outside the year."""

    class Meta:
        model = SchoolYear
        fields = ["start_year", *SCHOOL_YEAR_DATES]
        widgets = {name: DateInput() for name in SCHOOL_YEAR_DATES}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        if self.instance.pk:
            self.fields["start_year"].disabled = True
        for name in SCHOOL_YEAR_DATES:
            # An empty date takes the default from DOMAIN.md.
            self.fields[name].required = False

    def clean_start_year(self):
        start_year = self.cleaned_data["start_year"]
        if not 2000 <= start_year <= 2100:
            raise forms.ValidationError("Give the year the school year starts in, e.g. 2026.")
        others = SchoolYear.objects.filter(district=self.instance.district, start_year=start_year)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"{self.instance.district} already has the school year "
                f"{start_year}-{(start_year + 1) % 100:02d}."
            )
        return start_year


class NextYearForm(SchoolYearForm):
    """The next year's windows and ESSA due date, prefilled a year on from the current year's."""

    class Meta(SchoolYearForm.Meta):
        fields = SCHOOL_YEAR_DATES

    def __init__(self, *args, start_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.start_year = start_year

    @property
    def dates(self):
        return {name: self.cleaned_data.get(name) for name in SCHOOL_YEAR_DATES}


def show_errors(form, error):
    """Put a service's ValidationError on the form: on the fields it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The largest id a database row can have (a 64-bit signed column).
MAX_ID = 2**63 - 1


def posted_int(value, maximum=MAX_ID):
    """A whole number a page sent by hand (an id, a version, a year), or None when it is not one.

    str.isdigit() is no guard: "²" and "٣" pass it and int() refuses the first, and a number of
    30 digits passes both and then overflows the database's integer (a 500 on SQLite).
    """
    value = str(value or "").strip()
    if value.isascii() and value.isdigit() and int(value) <= maximum:
        return int(value)
    return None


def posted_year(data, name="year"):
    """The school year a page asks for, ?year=2026, as an int (None when absent or not a year)."""
    return posted_int(data.get(name), maximum=9999)


def posted_text(value):
    """Text a page sent by hand, as a form's CharField would store it: without NUL characters
    (PostgreSQL refuses them in text and JSON: a 500), which no one can type or see anyway."""
    return str(value or "").replace("\x00", "")


def posted_ids(values):
    """The ids among a list a page sent (checkboxes); anything else is dropped."""
    return {number for number in map(posted_int, values) if number is not None}


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing what is not an id before the database sees it: a 30-digit "id" among
    the ticked boxes overflowed SQLite's integer in the IN (...) query, a 500."""

    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if posted_int(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


# --- A refused save shows back what was typed (issue 18: nothing typed is ever lost) ----------


class PostedBox:
    """One box of a hand-read form, as it was sent: its text and the reasons it was refused.
    Read in templates like a form's bound field (`value`, `errors`, `auto_id`)."""

    def __init__(self, name, value, auto_id):
        self.name = name
        self.value = value
        self.auto_id = auto_id
        self.errors = []


class Posted:
    """What a page read by hand from request.POST (no Django form), kept so that a refused save
    shows every box again exactly as it was sent, with the reason beside the box it concerns.

    posted = Posted(request.POST, ["comment"]); posted.refuse(validation_error); the template
    reads posted.comment.value / .errors / .auto_id (and includes "_field_errors.html"), and
    posted.general for a reason that concerns no single box. Without data: empty boxes."""

    def __init__(self, data=None, names=(), ids=None):
        ids = ids or {}
        data = data if data is not None else {}
        self.boxes = {
            name: PostedBox(name, posted_text(data.get(name)), ids.get(name, f"id_{name}"))
            for name in names
        }
        self.general = []

    def __getitem__(self, name):
        return self.boxes[name]

    def __contains__(self, name):
        return name in self.boxes

    @property
    def errors(self):
        return bool(self.general) or any(box.errors for box in self.boxes.values())

    def add_error(self, name, message):
        if name in self.boxes:
            self.boxes[name].errors.append(str(message))
        else:
            self.general.append(str(message))

    def refuse(self, error):
        """A service's ValidationError, beside the boxes it names, else at the top."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for message in ValidationError(errors).messages:
                    self.add_error(name, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


def show_theirs(form, name, *, theirs, by, at, place=None):
    """A field someone else saved after this page was loaded (an edit conflict): the reason
    beside it, and their saved text under the box, which keeps what this person typed."""
    from django.template.defaultfilters import linebreaksbr

    from . import clock
    from .rows import day_and_time

    who = getattr(by, "display_name", "") or "Someone"
    when = day_and_time(clock.local(at, place))
    form.add_error(
        name,
        f"Not saved: {who} saved this at {when}, after you opened the page. Their version is "
        "below; yours is still in the box.",
    )
    field = form.fields[name]
    field.help_text = form[name].help_text = format_html(
        '{}<div class="theirs border-start border-warning border-3 ps-2 mt-1 text-body">'
        '<div class="small text-body-secondary">Their version ({}, {}):</div>'
        '<div class="theirs-text">{}</div></div>',
        field.help_text,
        who,
        when,
        linebreaksbr(theirs) if theirs else "—",
    )


def mark_invalid(form):
    """Bootstrap's red outline on the boxes a hand-laid-out template renders from form."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    return form
