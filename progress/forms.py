from datetime import time

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from meetings.forms import MeetingTimesForm
from schoolplan.forms import DateInput, ModelMultipleChoiceField
from schoolplan.models import FAMILY_LANGUAGE_NAMES, CimTeam, Role, User

from .models import FamilyReply, Measurement, Metric


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["name", "unit", "baseline", "baseline_date", "target", "target_date", "direction"]
        widgets = {"baseline_date": DateInput(), "target_date": DateInput()}


class ReviewScheduleForm(MeetingTimesForm):
    default_start, default_end = time(15, 0), time(16, 30)

    # Shown (a checkbox with the reason) only when the date typed is in a month already over.
    confirm_late = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Yes, this review was held on that day: record it late",
    )
    late_warning = ""

    def ask_for_confirmation(self, message):
        """meetings.cim_reviews refused a date in an earlier month until the lead confirms it."""
        self.late_warning = message
        field = self.fields["confirm_late"]
        field.widget = forms.CheckboxInput()
        field.help_text = "Its minutes and who attended are recorded next, on the review's page."
        self.add_error(
            "confirm_late", "Tick the box to record this review late, or change the date."
        )


class CimTeamForm(forms.ModelForm):
    """The year's CIM team, chosen among the people holding CIM roles in the district."""

    class Meta:
        model = CimTeam
        fields = ["lead", "members", "ta_provider"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        field_classes = {"members": ModelMultipleChoiceField}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)

        def holders(*roles):
            return User.objects.filter(
                memberships__district=district, memberships__role__in=roles, is_active=True
            ).distinct()

        self.fields["lead"].queryset = holders(Role.CIM_LEAD)
        self.fields["members"].queryset = holders(Role.CIM_LEAD, Role.CIM_MEMBER)
        if district.is_intensive:
            self.fields["ta_provider"].queryset = holders(Role.TA_PROVIDER)
        else:
            del self.fields["ta_provider"]
        for name in self.fields:
            self.fields[name].label_from_instance = lambda user: user.display_name


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DateInput()}


def _head_count(label, limit, too_many, initial):
    """How many people of one kind an answer brings: a whole number from 0 to limit."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=limit,
        initial=initial,
        required=False,
        error_messages={
            "max_value": too_many,
            "min_value": _("Give a number from 0."),
            "invalid": _("Give a whole number."),
        },
    )


class FamilyReplyForm(forms.Form):
    """A family's answer to a community meeting, in the families' page's language."""

    coming = forms.TypedChoiceField(
        label=_("Will you come?"),
        choices=[("yes", _("Yes, we will come")), ("no", _("No, we cannot come"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether you will come.")},
    )
    adults = _head_count(
        _("Adults"),
        FamilyReply.MAX_ADULTS,
        _("One answer counts at most %(limit_value)s adults."),
        initial=1,
    )
    children = _head_count(
        _("Children"),
        FamilyReply.MAX_CHILDREN,
        _("One answer counts at most %(limit_value)s children."),
        initial=0,
    )
    interpretation = forms.ChoiceField(label=_("Interpretation we need"), required=False)
    childcare = forms.BooleanField(label=_("We need childcare during the meeting"), required=False)
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=254,
        help_text=_("We send you the link to change your answer. Nobody else sees it."),
        error_messages={"invalid": _("Give an e-mail address such as name@example.com.")},
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        validators=[
            RegexValidator(
                r"^\+?[0-9 ()./-]{6,30}$", _("Give a phone number: digits, spaces, + ( ) - only.")
            )
        ],
    )
    # Robots fill in every field; people never see this one (hidden on the page, not a "hidden"
    # input, which robots skip).
    website = forms.CharField(label=_("Leave this empty"), required=False)
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interpretation"].choices = [("", _("None: we follow in English"))] + [
            (code, FAMILY_LANGUAGE_NAMES.get(code, code)) for code in languages if code != "en"
        ]
        self.fields["adults"].widget.attrs.update(inputmode="numeric")
        self.fields["children"].widget.attrs.update(inputmode="numeric")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", type="tel")
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    @property
    def is_robot(self):
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        if data.get("coming") is None:
            return data
        if data["coming"]:
            adults, children = data.get("adults"), data.get("children")
            if "adults" not in self.errors and not adults:
                self.add_error("adults", _("At least one adult comes with the children."))
            data["children"] = children or 0
        else:
            # Not coming: nobody to count, no childcare to plan.
            data.update(adults=0, children=0, childcare=False, interpretation="")
            self.errors.pop("adults", None)
            self.errors.pop("children", None)
        return data

    @classmethod
    def initial_from(cls, reply):
        return {
            "coming": "yes" if reply.coming else "no",
            "adults": reply.adults or 1,
            "children": reply.children,
            "interpretation": reply.interpretation,
            "childcare": reply.childcare,
            "name": reply.name,
            "email": reply.email,
            "phone": reply.phone,
        }
