from django import forms

from schoolplan.forms import DateInput
from schoolplan.models import Membership, Role, User

from .models import Activity, Outcome, Strategy, TaSession


def team_people(district):
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(
                district=district,
                role__in=(Role.CIM_LEAD, Role.CIM_MEMBER, Role.DISTRICT_STAFF),
            ),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from, for optimistic locking."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version
        if not self.instance.pk:
            self.fields["expected_version"].required = False


class StrategyForm(VersionedForm):
    class Meta:
        model = Strategy
        fields = ["title", "description"]
        labels = {"title": "High-Leverage Strategy"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = ["title", "owner", "starts_on", "ends_on", "status"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def limit_to(self, plan):
        """Owners come from the plan's district team."""
        self.fields["owner"].queryset = team_people(plan.district)
        self.fields["owner"].label_from_instance = lambda user: user.display_name

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The activity cannot end before it starts.")
        return data


class OutcomeForm(VersionedForm):
    class Meta:
        model = Outcome
        fields = ["description"]
        labels = {"description": "Measurable outcome"}


class TaSessionForm(forms.ModelForm):
    class Meta:
        model = TaSession
        fields = ["date", "provider", "topic", "strategy", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = plan.strategies.all()
