from django import forms

from schoolplan.forms import DateInput, ModelMultipleChoiceField

from .models import (
    Activity,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    Outcome,
    Strategy,
    TaSession,
)
from .services import ta_providers, team_people


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from, for optimistic locking."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version
        if not self.instance.pk:
            self.fields["expected_version"].required = False


def _numbered(prefix, numbers):
    def label(item):
        return f"{prefix}{numbers.get(item.pk, '?')}: {item}"

    return label


def _limit_links(form, **querysets):
    """Offer only the plan's own items as links, numbered as on the plan page ("R2: …"); with
    none to offer, say where to add them."""
    for name, (queryset, prefix, missing) in querysets.items():
        numbers = {pk: n for n, pk in enumerate(queryset.values_list("pk", flat=True), 1)}
        field = form.fields[name]
        field.queryset = queryset
        field.label_from_instance = _numbered(prefix, numbers)
        if not numbers:
            field.help_text = missing


class DataFindingForm(VersionedForm):
    class Meta:
        model = DataFinding
        fields = ["statement", "source"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "statement": "One finding from the data analysis, with its numbers.",
            "source": "Where it comes from: the data set, report or observation.",
        }


class RootCauseForm(VersionedForm):
    class Meta:
        model = CimRootCause
        fields = ["description", "findings"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.CheckboxSelectMultiple,
        }
        labels = {"findings": "Data findings that support it"}
        field_classes = {"findings": ModelMultipleChoiceField}

    def limit_to(self, plan):
        _limit_links(
            self,
            findings=(plan.findings.all(), "F", "No data findings yet: add them to the plan."),
        )


class ProblemStatementForm(VersionedForm):
    class Meta:
        model = CimProblemStatement
        fields = ["statement", "root_causes"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "root_causes": forms.CheckboxSelectMultiple,
        }
        labels = {"root_causes": "Root causes behind it"}
        field_classes = {"root_causes": ModelMultipleChoiceField}

    def limit_to(self, plan):
        _limit_links(
            self,
            root_causes=(plan.root_causes.all(), "R", "No root causes yet: add them to the plan."),
        )


class StrategyForm(VersionedForm):
    class Meta:
        model = Strategy
        fields = ["title", "description", "problem_statements", "root_causes"]
        labels = {
            "title": "High-Leverage Strategy",
            "problem_statements": "Problem statements it addresses",
            "root_causes": "Root causes it addresses",
        }
        field_classes = {
            "problem_statements": ModelMultipleChoiceField,
            "root_causes": ModelMultipleChoiceField,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "problem_statements": forms.CheckboxSelectMultiple,
            "root_causes": forms.CheckboxSelectMultiple,
        }

    def limit_to(self, plan):
        _limit_links(
            self,
            problem_statements=(
                plan.problem_statements.all(),
                "P",
                "No problem statements yet: add them to the plan's analysis.",
            ),
            root_causes=(
                plan.root_causes.all(),
                "R",
                "No root causes yet: add them to the plan's analysis.",
            ),
        )


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
        fields = ["date", "provider_account", "provider", "topic", "strategy", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"provider": "Or the provider's name"}
        help_texts = {
            "date": "The day the session was held (not a future day).",
            "provider_account": "The district's TA provider with an account here.",
            "provider": "For a provider without an account; or their organisation.",
        }

    def __init__(self, *args, plan, default_provider=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = plan.strategies.all()
        account = self.fields["provider_account"]
        account.queryset = ta_providers(plan.district)  # the district's, no one else
        account.label_from_instance = lambda user: user.display_name
        account.empty_label = "None: a provider without an account"
        if default_provider is not None and not self.is_bound:
            self.initial["provider_account"] = default_provider.pk
        if today is not None:
            self.fields["date"].widget.attrs["max"] = f"{today:%Y-%m-%d}"
