"""The school plan documents and the kinds of item each holds, for the generic item views.

A Document names its model, who may read and who may edit it; each Kind says which model an
item is, which fields its form shows, how it is found inside its document (so an id from another
school's plan is a 404), and what it is given at creation. progress registers its metrics here
(a later layer may add kinds; this module never imports it).
"""

from dataclasses import dataclass, field

from django import forms

from meetings.models import Goal, Sami, SamiItem, SamiTeamMember
from schoolplan.forms import DateInput, ModelMultipleChoiceField
from schoolplan.permissions import (
    CONTRIBUTE_CADRE,
    EDIT_CIM_PLAN,
    EDIT_SCHOOL_PLAN,
    MANAGE_SCHOOL,
    VIEW_CADRE,
    VIEW_DISTRICT,
    VIEW_SCHOOL,
)

from .forms import (
    ActivityForm,
    DataFindingForm,
    OutcomeForm,
    ProblemStatementForm,
    RootCauseForm,
    StrategyForm,
    VersionedForm,
)
from .models import (
    ActionStep,
    Activity,
    Blueprint,
    Cadre,
    CadreAction,
    CadreMember,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    EssaPlan,
    FocusArea,
    Initiative,
    MonitoringRoutine,
    Outcome,
    PlanForImprovement,
    ProblemStatement,
    ResearchModel,
    Resource,
    RootCause,
    Strategy,
)


@dataclass
class Kind:
    model: type
    fields: list
    # Filter kwargs that find this kind's items inside a document.
    within: object
    # Fields an item is given at creation, from its document (and parent item, if any).
    given: object = None
    parent: str = ""  # the item field naming its parent item, e.g. "problem"
    parent_kind: str = ""
    ability: object = None  # if not the document's edit ability
    labels: dict = field(default_factory=dict)
    help_texts: dict = field(default_factory=dict)
    # (form, document) -> None: narrows choices to the document's own items
    limit: object = None
    title: str = ""  # what the page calls one item, if not the history's name for it
    form_base: type = VersionedForm
    # (document, user, cleaned data) -> item; by default plans.services.add
    create: object = None
    # (item, user) -> None; by default plans.services.remove
    remove: object = None
    form: type = None  # a hand-written form, instead of one made from `fields`

    def form_class(self):
        if self.form is not None:
            return self.form
        widgets, field_classes = {}, {}
        for name in self.fields:
            model_field = self.model._meta.get_field(name)
            if model_field.get_internal_type() == "DateField":
                widgets[name] = DateInput()
            elif model_field.get_internal_type() == "TextField":
                widgets[name] = forms.Textarea(attrs={"rows": 3})
            elif model_field.many_to_many:  # links: boxes to tick, ids checked before the query
                widgets[name] = forms.CheckboxSelectMultiple()
                field_classes[name] = ModelMultipleChoiceField
        return forms.modelform_factory(
            self.model,
            form=self.form_base,
            fields=self.fields,
            widgets=widgets,
            field_classes=field_classes,
            labels=self.labels,
            help_texts=self.help_texts,
        )


@dataclass
class Document:
    model: type
    slug: str  # the URL segment
    label: str
    view: object
    edit: object
    kinds: dict
    related: tuple = ("school__district", "school_year")
    crumbs: str = "plans/_school_crumbs.html"

    def get_visible_or_404(self, user, pk):
        """The document, if user may read it; else 404."""
        from schoolplan.permissions import get_visible_or_404

        return get_visible_or_404(
            self.model.objects.select_related(*self.related), user, self.view, pk=pk
        )


class CadreMemberForm(VersionedForm):
    give_account = forms.BooleanField(
        label="Give them an account (cadre content only)",
        required=False,
        help_text="They get an e-mail to choose a password; they see the cadre's work and "
        "meetings, nothing else of the school.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["give_account"]


def _add_member(cadre, user, data):
    from .cadre import add_member

    data = {name: value for name, value in data.items() if name != "cadre"}
    return add_member(cadre, user=user, **data)


def _remove_member(member, user):
    from .cadre import remove_member

    remove_member(member, user=user)


def _limit_choices(form, plan):
    """The form's choices (owners, linked items) come from the plan's district and items."""
    form.limit_to(plan)


def _limit_focus_area(form, plan):
    form.fields["focus_area"].queryset = plan.focus_areas.all()


def _limit_sami_items(form, plan):
    """seed 002: a root cause is verified against the school's own SAMI of the plan's year."""
    items = SamiItem.objects.filter(
        sami__school=plan.school_id, sami__school_year=plan.school_year_id
    )
    if items.exists():
        form.fields["sami_items"].queryset = items
    else:  # nothing to link yet (the SAMI note catcher has no items): no empty box group
        del form.fields["sami_items"]


def _school_year(document):
    return {"school": document.school, "school_year": document.school_year}


CIM = Document(
    model=PlanForImprovement,
    slug="cim/plans",
    label="Plan for Improvement",
    view=VIEW_DISTRICT,
    edit=EDIT_CIM_PLAN,
    related=("district", "school_year"),
    crumbs="plans/_crumbs.html",
    kinds={
        # seed 001: the data analysis -> root cause -> plan, in the order the plan shows it.
        "finding": Kind(
            DataFinding,
            DataFindingForm.Meta.fields,
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            form=DataFindingForm,
        ),
        "root-cause": Kind(
            CimRootCause,
            RootCauseForm.Meta.fields,
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            form=RootCauseForm,
            limit=_limit_choices,
        ),
        "problem": Kind(
            CimProblemStatement,
            ProblemStatementForm.Meta.fields,
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            form=ProblemStatementForm,
            limit=_limit_choices,
        ),
        "strategy": Kind(
            Strategy,
            StrategyForm.Meta.fields,
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            form=StrategyForm,
            limit=_limit_choices,
        ),
        "activity": Kind(
            Activity,
            ActivityForm.Meta.fields,
            within=lambda plan: {"strategy__plan": plan},
            given=lambda plan, strategy: {"strategy": strategy},
            parent="strategy",
            parent_kind="strategy",
            form=ActivityForm,
            limit=_limit_choices,
        ),
        "outcome": Kind(
            Outcome,
            OutcomeForm.Meta.fields,
            within=lambda plan: {"activity__strategy__plan": plan},
            given=lambda plan, activity: {"activity": activity},
            parent="activity",
            parent_kind="activity",
            form=OutcomeForm,
        ),
    },
)

ESSA = Document(
    model=EssaPlan,
    slug="essa",
    label="ESSA action plan",
    view=VIEW_SCHOOL,
    edit=EDIT_SCHOOL_PLAN,
    kinds={
        "problem": Kind(
            ProblemStatement,
            ["desired_state", "current_state", "gap"],
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            help_texts={
                "desired_state": "What student outcomes should be.",
                "current_state": "What they are now, with the data.",
                "gap": "The difference, in one sentence.",
            },
        ),
        "root-cause": Kind(
            RootCause,
            ["description", "evidence", "verified", "sami_items"],
            within=lambda plan: {"problem__plan": plan},
            given=lambda plan, parent: {"problem": parent},
            parent="problem",
            parent_kind="problem",
            help_texts={
                "evidence": "The data or observation that shows this cause is real.",
                "verified": "Tick when the evidence confirms the cause.",
                "sami_items": "The items of your school's SAMI this cause was checked against.",
            },
            limit=_limit_sami_items,
        ),
        "focus-area": Kind(
            FocusArea,
            ["title", "initiatives"],
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
        ),
        "step": Kind(
            ActionStep,
            ["description", "focus_area", "owner", "starts_on", "due_on", "status"],
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
            limit=_limit_focus_area,
        ),
        "monitoring": Kind(
            MonitoringRoutine,
            ["who", "what", "frequency"],
            within=lambda plan: {"plan": plan},
            given=lambda plan, parent: {"plan": plan},
        ),
    },
)

BLUEPRINT = Document(
    model=Blueprint,
    slug="blueprints",
    label="School Blueprint",
    view=VIEW_SCHOOL,
    edit=EDIT_SCHOOL_PLAN,
    kinds={
        "about": Kind(
            Blueprint,
            ["theory_of_action"],
            within=lambda blueprint: {"id": blueprint.pk},
            title="theory of action",
        ),
        "goal": Kind(
            Goal,
            ["area", "text"],
            within=_school_year,
            given=lambda blueprint, parent: _school_year(blueprint),
        ),
        "initiative": Kind(
            Initiative,
            ["area", "title", "description"],
            within=lambda blueprint: {"blueprint": blueprint},
            given=lambda blueprint, parent: {"blueprint": blueprint},
        ),
    },
)

CADRE = Document(
    model=Cadre,
    slug="cadres",
    label="Family and Community Cadre",
    view=VIEW_CADRE,
    edit=CONTRIBUTE_CADRE,
    kinds={
        "vision": Kind(
            Cadre,
            ["vision"],
            within=lambda cadre: {"id": cadre.pk},
            title="vision",
        ),
        "member": Kind(
            CadreMember,
            ["name", "group", "email"],
            within=lambda cadre: {"cadre": cadre},
            given=lambda cadre, parent: {"cadre": cadre},
            ability=MANAGE_SCHOOL,  # the principal forms the cadre (seed 004 step 4)
            form_base=CadreMemberForm,
            create=_add_member,
            remove=_remove_member,
        ),
        "action": Kind(
            CadreAction,
            ["description", "owner", "due_on", "status"],
            within=lambda cadre: {"cadre": cadre},
            given=lambda cadre, parent: {"cadre": cadre},
        ),
        # seed 004 step 4.3: the models and frameworks reviewed, and which the cadre adopted.
        "research": Kind(
            ResearchModel,
            ["name", "source", "notes", "adopted"],
            within=lambda cadre: {"cadre": cadre},
            given=lambda cadre, parent: {"cadre": cadre},
            title="research model",
        ),
        "resource": Kind(
            Resource,
            ["description", "contributor", "contributor_name", "value"],
            within=lambda cadre: {"cadre": cadre},
            given=lambda cadre, parent: {"cadre": cadre},
        ),
    },
)

SAMI = Document(
    model=Sami,
    slug="sami",
    label="SAMI note catcher",
    view=VIEW_SCHOOL,
    edit=EDIT_SCHOOL_PLAN,
    kinds={
        "about": Kind(
            Sami,
            ["essa_review"],
            within=lambda sami: {"id": sami.pk},
            title="ESSA data review notes",
        ),
        "item": Kind(
            SamiItem,
            ["name", "rating", "notes"],
            within=lambda sami: {"sami": sami},
            given=lambda sami, parent: {"sami": sami},
            help_texts={"name": "The SAMI item, as your SAMI names it."},
        ),
        "member": Kind(
            SamiTeamMember,
            ["name", "role"],
            within=lambda sami: {"sami": sami},
            given=lambda sami, parent: {"sami": sami},
        ),
    },
)

DOCUMENTS = {document.slug: document for document in (CIM, ESSA, BLUEPRINT, CADRE, SAMI)}
