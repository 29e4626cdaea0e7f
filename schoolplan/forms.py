from django import forms

from .models import FAMILY_LANGUAGES, District, School, SchoolYear


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
            "cim_status",
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
