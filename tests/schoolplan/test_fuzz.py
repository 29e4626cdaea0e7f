"""Bad input (issue 12, item 3): every form and every CSV import, fuzzed through its view.

The forms are found by walking the project's modules (and the plan documents' item kinds), so a
new form cannot escape: one with no declared way to reach it fails the test. Each is posted, as a
user allowed to use it, values from tests/fuzz_values.py (empty, huge, NUL and control
characters, invalid UTF-8, odd unicode, HTML and script, spreadsheet formulas, SQL, impossible
numbers and dates, wrong choices, ids of other objects and of another district's). Whatever is
sent: never a server error; a 200 (the form again, with its errors) or a redirect; when the answer
is a refusal the database is exactly as before (row counts and checksums of every project table);
what was stored shows escaped. The CSV imports get malformed, oversized, wrongly encoded and
hostile files the same way, and every CSV export is checked for live formula cells.

Each hypothesis example runs in a savepoint that is rolled back, so examples start from the same
data. FUZZ_EXAMPLES (default 8) sets the examples per form; e.g. FUZZ_EXAMPLES=200 for a long run.
"""

import csv
import hashlib
import importlib
import inspect
import io
import os
import pkgutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import time as dt_time
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib import messages as django_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms.formsets import BaseFormSet
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import prework as prework_rules
from meetings import recording as meeting_recording
from meetings import services as meeting_services
from meetings import workshop_teams, workshops
from meetings.forms import (
    ActionItemForm,
    ActionUpdateForm,
    AgendaFormSet,
    AmendmentForm,
    CancelForm,
    CpmMeetingForm,
    GoalForm,
    InviteForm,
    MinutesForm,
    TitleIMeetingForm,
)
from meetings.forms_cap import (
    AnalysisForm,
    AssessmentPointForm,
    CapMeetingForm,
    ClassForm,
    NoteForm,
    ReviewForm,
)
from meetings.forms_prework import PreworkForm
from meetings.forms_workshops import (
    AttendanceForm,
    ProblemSolvingStepForm,
    RegistrationForm,
    SeriesForm,
    SessionForm,
    TeamForm,
)
from meetings.models import GoalArea, TeamMember, WorkshopLevel
from plans import cadre as cadre_services
from plans import export
from plans.documents import DOCUMENTS
from plans.forms import TaSessionForm
from plans.models import ProblemStatement
from plans.views_cadre import ConsensusForm, StepForm, SurveyImportForm
from plans.views_sami import HighLeverageForm
from progress import spf
from progress.forms import CimTeamForm, FamilyReplyForm, MetricForm, ReviewScheduleForm
from progress.views_metrics import CorrectForm, ImportForm, RecordForm, RemoveForm
from progress.views_spf import SpfImportForm
from schoolplan.csvfiles import FORMULA_STARTS, spreadsheet_safe
from schoolplan.forms import (
    CimLevelForm,
    DistrictForm,
    NextYearForm,
    SchoolForm,
    SchoolYearForm,
)
from schoolplan.models import (
    CimTeam,
    Membership,
    NotificationSettings,
    Role,
    School,
    default_dates,
)
from schoolplan.next_year import proposed_dates
from schoolplan.password_reset import ThrottledPasswordResetForm
from schoolplan.sign_in import SignInForm
from schoolplan.views_notifications import NotificationSettingsForm
from schoolplan.views_roster import RosterUploadForm

from .. import fuzz_values as fv
from ..cim_helpers import make_plan
from ..clock import YEAR, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, UserFactory, member
from ..meeting_helpers import schedule
from ..permissions.test_permission_matrix import foreign  # noqa: F401  (the fixture: one of every object)

pytestmark = pytest.mark.django_db

APPS = ("schoolplan", "meetings", "plans", "progress")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STATS = Counter()
STARTED = time.monotonic()


# --- The data: one of everything (the permission matrix's), its people, another district -------


# The day the forms are filled in, early in the Check In window: each form's good values are
# accepted on it (a meeting next week, a consensus of last month, an open workshop series).
FUZZ_DAY = on(12, 4)


@pytest.fixture
def fuzz_day(clock):
    clock.set(FUZZ_DAY)


@pytest.fixture
def world(fuzz_day, foreign, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path  # uploads land in the test's own directory
    w = dict(foreign)
    district, school = w["district"], w["school"]
    w["principal"] = Membership.objects.get(role=Role.PRINCIPAL, school=school).user
    w["teacher"] = w["class"].teacher
    w["lead"] = Membership.objects.get(role=Role.CIM_LEAD, district=district).user
    w["staff"] = member(Role.DISTRICT_STAFF, district)
    w["admin"] = UserFactory(is_superuser=True, is_staff=True)
    w["metric"] = w["outcome"].metric
    w["activity"] = w["outcome"].activity
    w["goal"] = meeting_services.add_goal(
        w["meeting"], user=w["principal"], text="Attendance above 95%", area=GoalArea.OTHER
    )
    w["member"] = cadre_services.add_member(
        w["cadre"], user=w["principal"], name="Ana Parent", group="parent", email=""
    )
    w["root_cause"] = w["problem"].root_causes.create(description="rc", evidence="ev")
    # Another district: its ids are sent too, and must never be accepted.
    other = DistrictFactory(name="Other USD")
    other_year = SchoolYearFactory(district=other, start_year=YEAR)
    other_school = SchoolFactory(district=other)
    other_principal = member(Role.PRINCIPAL, other_school)
    other_lead = member(Role.CIM_LEAD, other)
    other_meeting = schedule(other_school, other_principal, day=on(11, 9))
    _, other_activity, other_metric = make_plan(other, other_year, other_lead)
    w["other_ids"] = {
        str(pk)
        for pk in (
            other.pk,
            other_school.pk,
            other_year.pk,
            other_principal.pk,
            other_lead.pk,
            other_meeting.pk,
            other_activity.pk,
            other_activity.strategy_id,
            other_metric.pk,
        )
    }
    return w


def _fingerprint():
    """Row count and checksum of every table of the project (many-to-many tables included)."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        # The audit log records failed attempts too (a wrong two-factor code): not a write of input.
        if model._meta.app_label not in APPS or model._meta.model_name == "auditevent":
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        rows = list(model.objects.order_by("pk").values_list(*names))
        out[model._meta.label] = (len(rows), hashlib.sha1(repr(rows).encode()).hexdigest())
    return out


# --- Finding every form ---------------------------------------------------------------------


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or info.name.endswith(("settings_production", "wsgi")):
                continue
            yield importlib.import_module(info.name)


def project_forms():
    """{dotted name: class} of every form and formset class the apps define (or build with a
    factory at import time, as inlineformset_factory does)."""
    found = {}
    for module in sorted(_modules(), key=lambda m: m.__name__):
        for name, obj in vars(module).items():
            if not (inspect.isclass(obj) and issubclass(obj, (forms.BaseForm, BaseFormSet))):
                continue
            home = obj.__module__.split(".")[0]
            if home in APPS:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            elif (
                getattr(sys.modules[obj.__module__], obj.__name__, None) is not obj
                and obj not in found.values()
            ):
                found[f"{module.__name__}.{name}"] = obj  # made by a factory, where first assigned
    return found


def _dotted(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def document_kinds():
    """(slug, kind) of every item kind of every plan document: each has its own generated form."""
    return [(slug, kind) for slug, document in DOCUMENTS.items() for kind in document.kinds]


# --- Targets: a form (or a hand-read POST) at its view, with the user allowed to use it ---------


@dataclass
class Target:
    name: str
    user: str
    url: object  # world -> address
    form: object = None  # world -> the form (or formset) as the view builds it
    covers: tuple = ()  # the form classes (dotted names) this target reaches
    good: dict = field(default_factory=dict)  # field -> a valid value (the form's names)
    fixed: dict = field(default_factory=dict)  # sent as is in every example
    raw: object = None  # world -> {posted name: (strategy, good value)}, for hand-read POSTs
    files: dict = field(default_factory=dict)  # file field -> world -> strategy of (name, bytes)
    setup: object = None  # world -> None, run once before the examples
    is_import: bool = False
    also: tuple = ()  # statuses besides 200/302 that are a right answer (e.g. 404 for no such id)


def _file(name, content):
    return name, content


def _any_file():
    names = st.sampled_from(
        [
            "notes.pdf",
            "data.csv",
            "x.CSV",
            "doc.docx",
            "a.txt",
            "../../etc/passwd.txt",
            "a" * 300 + ".pdf",
            "evil.exe",
            '<script>alert("XSS-FUZZ")</script>.pdf',
            "=cmd.csv",
            "noextension",
            ".pdf",
            "nul\x00.pdf",
        ]
    )
    return st.tuples(
        names, st.one_of(st.binary(max_size=500), fv.csv_files(["a", "b"], [["1", "2"]]))
    )


def u(name, **kwargs):
    return lambda w: reverse(
        name, kwargs={k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
    )


def pk(key):
    return lambda w: w[key].pk


def _cim_measurement(w):
    """A value of the CIM outcome's metric for the correction and removal forms; each example
    gets a current one (a removal leaves none)."""
    from progress.measurements import record_value

    w["cim_measurement"] = record_value(
        w["metric"], day=on(11, 3), value=Decimal("20"), user=w["lead"]
    )


def _second_cap(w):
    from ..cap_helpers import schedule_cap

    point = w["cap"].cap.assessment_point
    w["cap2"] = schedule_cap(w["class"], point, w["teacher"], day=on(12, 10), confirmed=True)


def _published(w):
    meeting = schedule(
        w["school"], w["principal"], day=on(11, 12), confirm_repeat=True, place="Hall"
    )
    meeting_recording.record_minutes(meeting, user=w["principal"], text="Minutes.", mark_held=True)
    meeting_recording.publish_minutes(meeting, user=w["principal"])
    w["published"] = meeting


def _open_series(w):
    series = workshops.create_series(
        district=w["district"],
        year=w["year"],
        user=w["staff"],
        title="Spring",
        description="",
        registration_opens=on(7, 1),  # open all year, its priority window long closed
        priority_closes=on(7, 2),
        registration_closes=on(6, 30),
        elementary_capacity=5,
        secondary_capacity=5,
    )
    workshops.add_session(
        series,
        user=w["staff"],
        day=on(3, 3),
        starts=dt_time(9),
        ends=dt_time(12),
        place="Hall",
        level=WorkshopLevel.ELEMENTARY,
    )
    w["series2"] = series


def _admin_form(w):
    model_admin = admin.site._registry[School]
    request = RequestFactory().get("/")
    request.user = w["admin"]
    return model_admin.get_form(request, w["school"])(instance=w["school"])


TWO_FACTOR_FORM = "schoolplan.views_two_factor.CodeForm"  # looked up late: a module in progress

FORM_TARGETS = [
    Target(
        "school_edit (district staff)",
        "staff",
        u("school_edit", pk=pk("school")),
        lambda w: SchoolForm(instance=w["school"]),
        ("schoolplan.forms.SchoolForm",),
    ),
    Target(
        "school_edit (principal)",
        "principal",
        u("school_edit", pk=pk("school")),
        lambda w: SchoolForm(instance=w["school"], principal_only=True),
        ("schoolplan.forms.SchoolForm",),
    ),
    Target(
        "login (axes: after five wrong passwords, the lockout page)",
        "principal",
        lambda w: reverse("login"),
        lambda w: SignInForm(),
        ("schoolplan.sign_in.SignInForm",),
        also=(429,),
    ),
    Target(
        "password_reset (throttled: after five, 429 with nothing written)",
        "principal",
        lambda w: reverse("password_reset"),
        lambda w: ThrottledPasswordResetForm(),
        ("schoolplan.password_reset.ThrottledPasswordResetForm",),
        also=(429,),
    ),
    Target(
        "family_reply (public, in Spanish; without the form's stamp nothing is kept)",
        "principal",
        lambda w: reverse("family_reply_in", args=[w["school"].public_slug, "es", w["meeting"].pk]),
        lambda w: FamilyReplyForm(languages=w["school"].family_languages),
        ("progress.forms.FamilyReplyForm",),
        also=(410, 429),
    ),
    Target(
        "district_edit",
        "staff",
        u("district_edit", pk=pk("district")),
        lambda w: DistrictForm(instance=w["district"]),
        ("schoolplan.forms.DistrictForm",),
    ),
    Target(
        "school_year_create",
        "staff",
        u("school_year_create", district_pk=pk("district")),
        lambda w: SchoolYearForm(
            district=w["district"], initial={"start_year": YEAR + 1, **default_dates(YEAR + 1)}
        ),
        ("schoolplan.forms.SchoolYearForm",),
    ),
    Target(
        "school_year_edit",
        "staff",
        u("school_year_edit", district_pk=pk("district"), pk=pk("year")),
        lambda w: SchoolYearForm(instance=w["year"], district=w["district"]),
        ("schoolplan.forms.SchoolYearForm",),
    ),
    Target(
        "school_year_next",
        "staff",
        u("school_year_next", district_pk=pk("district"), pk=pk("year")),
        lambda w: NextYearForm(
            district=w["district"],
            start_year=w["year"].start_year + 1,
            initial=proposed_dates(w["year"]),
        ),
        ("schoolplan.forms.NextYearForm",),
        fixed={"confirmed": "1"},
    ),
    Target(
        "cim_level",
        "staff",
        u("cim_level", pk=pk("district")),
        lambda w: CimLevelForm(initial={"status": "targeted_2", "effective_on": FUZZ_DAY}),
        ("schoolplan.forms.CimLevelForm",),
        fixed={"confirmed": "1"},
    ),
    Target(
        "notification_settings",
        "principal",
        lambda w: reverse("notification_settings"),
        lambda w: NotificationSettingsForm(instance=NotificationSettings(user=w["principal"])),
        ("schoolplan.views_notifications.NotificationSettingsForm",),
        good={"language": "en"},
    ),
    Target(
        "admin school change",
        "admin",
        lambda w: reverse("admin:schoolplan_school_change", args=[w["school"].pk]),
        _admin_form,
        ("schoolplan.admin.SchoolAdminForm",),
        fixed={"_save": "Save"},
    ),
    Target(
        "two_factor_setup",
        "principal",
        lambda w: reverse("two_factor_setup"),
        lambda w: project_forms()[TWO_FACTOR_FORM](),
        (TWO_FACTOR_FORM,),
        good={"code": "123456"},
    ),
    Target(
        "two_factor_verify",
        "principal",
        lambda w: reverse("two_factor_verify"),
        lambda w: project_forms()[TWO_FACTOR_FORM](),
        (TWO_FACTOR_FORM,),
        good={"code": "123456"},
    ),
    Target(
        "schedule_title_i",
        "principal",
        u("schedule_title_i", pk=pk("school")),
        lambda w: TitleIMeetingForm(school=w["school"]),
        ("meetings.forms.TitleIMeetingForm",),
        good={
            "date": on(1, 20).isoformat(),
            "start_time": "18:00",
            "end_time": "19:30",
            "place": "Library",
        },
        also=(404,),
    ),
    Target(
        "schedule_cpm",
        "principal",
        u("schedule_cpm", pk=pk("school")),
        lambda w: CpmMeetingForm(school=w["school"]),
        ("meetings.forms.CpmMeetingForm", "meetings.forms.MeetingTimesForm"),
        good={
            "stage": "check_in",
            "date": on(12, 10).isoformat(),
            "start_time": "18:00",
            "end_time": "19:30",
            "place": "Library",
        },
    ),
    Target(
        "meeting_edit",
        "principal",
        u("meeting_edit", pk=pk("meeting")),
        lambda w: CpmMeetingForm(school=w["school"], meeting=w["meeting"]),
        ("meetings.forms.CpmMeetingForm",),
        good={
            "stage": "kick_off",
            "date": on(11, 10).isoformat(),
            "start_time": "18:00",
            "end_time": "19:30",
            "place": "Library",
        },
    ),
    Target(
        "meeting_cancel",
        "principal",
        u("meeting_cancel", pk=pk("meeting")),
        lambda w: CancelForm(),
        ("meetings.forms.CancelForm",),
        good={"reason": "Snow day", "confirm": "on"},
    ),
    Target(
        "minutes_edit",
        "teacher",
        u("minutes_edit", pk=pk("meeting")),
        lambda w: MinutesForm(meeting=w["meeting"]),
        ("meetings.forms.MinutesForm",),
        good={"text": "We met."},
    ),
    Target(
        "minutes_amend",
        "principal",
        u("minutes_amend", pk=pk("published")),
        lambda w: AmendmentForm(),
        ("meetings.forms.AmendmentForm",),
        good={"text": "Corrected minutes.", "reason": "A typo"},
        setup=_published,
    ),
    Target(
        "action_add",
        "principal",
        u("action_add", pk=pk("meeting")),
        lambda w: ActionItemForm(meeting=w["meeting"], prefix="action"),
        ("meetings.forms.ActionItemForm",),
        good={"description": "Send the flyer", "due_on": on(12, 20).isoformat()},
    ),
    Target(
        "action_add (CAP)",
        "teacher",
        u("action_add", pk=pk("cap")),
        lambda w: ActionItemForm(meeting=w["cap"], prefix="action", categorised=True),
        ("meetings.forms.ActionItemForm",),
        good={"description": "Reteach fractions", "research_url": "https://example.org/r"},
    ),
    Target(
        "action_update",
        "principal",
        u("action_update", pk=pk("action")),
        lambda w: ActionUpdateForm(),
        ("meetings.forms.ActionUpdateForm",),
        good={"status": "done", "note": "Done."},
    ),
    Target(
        "goal_add",
        "principal",
        u("goal_add", pk=pk("meeting")),
        lambda w: GoalForm(prefix="goal"),
        ("meetings.forms.GoalForm",),
        good={"text": "Reading at grade level"},
    ),
    Target(
        "meeting_invite",
        "principal",
        u("meeting_invite", pk=pk("meeting")),
        lambda w: InviteForm(meeting=w["meeting"]),
        ("meetings.forms.InviteForm",),
    ),
    Target(
        "agenda_edit",
        "principal",
        u("agenda_edit", pk=pk("meeting")),
        lambda w: AgendaFormSet(instance=w["meeting"]),
        ("meetings.forms.AgendaItemForm", "meetings.forms.AgendaFormSet"),
    ),
    Target(
        "cap_overview (class)",
        "principal",
        u("cap_overview", pk=pk("school")),
        lambda w: ClassForm(prefix="class", school=w["school"]),
        ("meetings.forms_cap.ClassForm",),
        fixed={"add_class": "1"},
        good={"name": "4C", "grade": "Grade 4"},
    ),
    Target(
        "cap_overview (assessment point)",
        "principal",
        u("cap_overview", pk=pk("school")),
        lambda w: AssessmentPointForm(prefix="point"),
        ("meetings.forms_cap.AssessmentPointForm",),
        fixed={"add_point": "1"},
        good={"name": "Winter", "date": on(1, 20).isoformat()},
    ),
    Target(
        "schedule_cap",
        "teacher",
        u("schedule_cap", pk=pk("class")),
        lambda w: CapMeetingForm(school_class=w["class"]),
        ("meetings.forms_cap.CapMeetingForm",),
        good={
            "date": on(12, 11).isoformat(),
            "start_time": "15:30",
            "end_time": "16:30",
            "place": "R12",
        },
        fixed={"confirmed": "on"},
    ),
    Target(
        "analysis_edit",
        "teacher",
        u("analysis_edit", pk=pk("cap")),
        lambda w: AnalysisForm(instance=w["cap"].cap),
        ("meetings.forms_cap.AnalysisForm",),
        good={"strengths": "Readers", "areas_of_focus": "Fractions"},
        files={"assessment_file": lambda w: _any_file()},
    ),
    Target(
        "note_add",
        "teacher",
        u("note_add", pk=pk("cap")),
        lambda w: NoteForm(prefix="note"),
        ("meetings.forms_cap.NoteForm",),
        good={"kind": "pupil", "subject": "JD", "note": "Needs help"},
    ),
    Target(
        "review_add",
        "teacher",
        u("review_add", pk=pk("cap2"), action_pk=pk("cap_action")),
        lambda w: ReviewForm(prefix=f"review-{w['cap_action'].pk}"),
        ("meetings.forms_cap.ReviewForm",),
        good={"outcome": "done"},
        setup=_second_cap,
    ),
    Target(
        "workshops (series)",
        "staff",
        u("workshops", pk=pk("district")),
        lambda w: SeriesForm(),
        ("meetings.forms_workshops.SeriesForm",),
        good={
            "title": "Winter series",
            "registration_opens": on(12, 1).isoformat(),
            "priority_closes": on(12, 15).isoformat(),
            "registration_closes": on(1, 15).isoformat(),
            "elementary_capacity": "5",
            "secondary_capacity": "5",
        },
    ),
    Target(
        "workshop_series (session)",
        "staff",
        u("workshop_series", pk=pk("series")),
        lambda w: SessionForm(prefix="session"),
        ("meetings.forms_workshops.SessionForm",),
        good={"day": on(2, 3).isoformat(), "starts": "09:00", "ends": "12:00", "place": "Hall"},
    ),
    Target(
        "workshop_register",
        "principal",
        u("workshop_register", series_pk=pk("series2"), school_pk=pk("school")),
        lambda w: RegistrationForm(sessions=w["series2"].sessions.all()),
        ("meetings.forms_workshops.RegistrationForm",),
        good={"people": "6", "team": "Ana Ruiz, math teacher"},
        setup=_open_series,
    ),
    Target(
        "workshop_team",
        "principal",
        u("workshop_team", pk=pk("registration")),
        lambda w: TeamForm(initial={"team_version": w["registration"].team_version}),
        ("meetings.forms_workshops.TeamForm",),
        good={"team": "Ana Ruiz, math teacher\nBen Cole"},
    ),
    Target(
        "session_attendance",
        "staff",
        u("session_attendance", pk=lambda w: w["registration"].session_id),
        lambda w: AttendanceForm(
            registrations=workshop_teams.registered_with_team(
                w["registration"].session.registrations.all()
            )
        ),
        ("meetings.forms_workshops.AttendanceForm",),
    ),
    Target(
        "school_problem_solving",
        "staff",
        u("school_problem_solving", school_pk=pk("school")),
        lambda w: ProblemSolvingStepForm(initial={"step": 0, "version": 0}),
        ("meetings.forms_workshops.ProblemSolvingStepForm",),
        good={"step": "3", "note": "Met in May"},
    ),
    Target(
        "workshop_registration (edit)",
        "principal",
        u("workshop_registration", pk=pk("registration")),
        lambda w: RegistrationForm(
            sessions=w["series"].sessions.all(),
            editing=True,
            initial={"session": w["registration"].session_id, "people": 6},
        ),
        ("meetings.forms_workshops.RegistrationForm",),
    ),
    Target(
        "workshop_prework",
        "principal",
        u("workshop_prework", pk=pk("registration")),
        lambda w: PreworkForm(offered=prework_rules.sami_actions_offered(w["registration"])),
        ("meetings.forms_prework.PreworkForm",),
        good={"prework": "1. Math talk\n2. Family nights", "expected_version": "1"},
        files={"prework_file": lambda w: _any_file()},
    ),
    Target(
        "sami (high-leverage actions)",
        "principal",
        u("sami", pk=pk("sami")),
        lambda w: HighLeverageForm(sami=w["sami"]),
        ("plans.views_sami.HighLeverageForm",),
        good={"expected_version": "1"},
    ),
    Target(
        "ta_sessions",
        "lead",
        u("ta_sessions", pk=pk("plan")),
        lambda w: TaSessionForm(plan=w["plan"]),
        ("plans.forms.TaSessionForm",),
        good={"date": on(11, 20).isoformat(), "provider": "WestEd", "topic": "Data"},
    ),
    Target(
        "cadre_step",
        "principal",
        u("cadre_step", pk=pk("cadre"), step_pk=pk("step")),
        lambda w: StepForm(),
        ("plans.views_cadre.StepForm",),
        good={"done_on": on(11, 20).isoformat(), "notes": "Done together"},
    ),
    Target(
        "cadre_consensus",
        "principal",
        u("cadre_consensus", pk=pk("cadre"), step_pk=pk("step")),
        lambda w: ConsensusForm(cadre=w["cadre"]),
        ("plans.views_cadre.ConsensusForm",),
        good={"decision": "We agree", "agreed_on": on(11, 20).isoformat()},
    ),
    Target(
        "metric_edit",
        "lead",
        u("metric_edit", pk=pk("outcome")),
        lambda w: MetricForm(instance=w["metric"]),
        ("progress.forms.MetricForm",),
    ),
    Target(
        "review_schedule",
        "lead",
        u("review_schedule", pk=pk("district")),
        lambda w: ReviewScheduleForm(),
        ("progress.forms.ReviewScheduleForm", "meetings.forms.MeetingTimesForm"),
        good={
            "date": on(12, 10).isoformat(),
            "start_time": "15:00",
            "end_time": "16:30",
            "place": "R2",
        },
    ),
    Target(
        "cim_team_edit",
        "staff",
        u("cim_team_edit", pk=pk("district")),
        lambda w: CimTeamForm(
            instance=CimTeam(district=w["district"], school_year=w["year"]),
            district=w["district"],
        ),
        ("progress.forms.CimTeamForm",),
    ),
    Target(
        "metric_measure",
        "principal",
        u("metric_measure", pk=pk("essa_metric")),
        lambda w: RecordForm(prefix=f"m{w['essa_metric'].pk}"),
        ("progress.forms.MeasurementForm", "progress.views_metrics.RecordForm"),
        good={"date": on(11, 20).isoformat(), "value": "12.5", "reason": ""},
    ),
    Target(
        "measurement_correct",
        "lead",
        u("measurement_correct", pk=pk("cim_measurement")),
        lambda w: CorrectForm(),
        ("progress.views_metrics.CorrectForm",),
        good={"value": "21.5", "note": "", "reason": "Typo in the first entry"},
        setup=_cim_measurement,
    ),
    Target(
        "measurement_remove",
        "lead",
        u("measurement_remove", pk=pk("cim_measurement")),
        lambda w: RemoveForm(),
        ("progress.views_metrics.RemoveForm",),
        good={"reason": "Entered for the wrong metric"},
        setup=_cim_measurement,
        also=(404,),  # a removed value has no page: a second example finds it gone
    ),
]

SURVEY_HEADER = ["respondent_group", "Q1", "Q2"]
SURVEY_ROWS = [["parent", "Agree", "5"], ["staff", "1", ""]]
MEASURE_HEADER = ["metric", "date", "value", "note"]
SPF_HEADER = spf.HEADER


def _measure_rows(w):
    return [
        [str(w["essa_metric"].pk), on(11, 1).isoformat(), "5", "ok"],
        ["m", on(11, 2).isoformat(), "6%", ""],
    ]


def _spf_rows(w):
    return [[w["school"].name, "meets", "55", "50", "60", "40", "70", ""]]


IMPORT_TARGETS = [
    Target(
        "roster_imports (the plain templates, or any file as a bundle)",
        "staff",
        u("roster_imports", pk=pk("district")),
        lambda w: RosterUploadForm(),
        ("schoolplan.views_roster.RosterUploadForm",),
        files={
            "schools_csv": lambda w: st.tuples(
                st.just("schools.csv"), fv.csv_files(["school_id", "name"], [["A1", "Oak"]])
            ),
            "staff_csv": lambda w: st.tuples(
                st.just("staff.csv"),
                fv.csv_files(
                    ["staff_id", "email", "given_name", "family_name", "school_id", "role"],
                    [["T1", "lee@oak.example.org", "Lee", "Park", "A1", "principal"]],
                ),
            ),
            "bundle": lambda w: _any_file(),
        },
        is_import=True,
    ),
    Target(
        "survey_import",
        "principal",
        u("survey_import", pk=pk("cadre")),
        lambda w: SurveyImportForm(),
        ("plans.views_cadre.SurveyImportForm",),
        good={"kind": "parent", "title": "Spring survey"},
        files={
            "file": lambda w: st.tuples(
                st.just("survey.csv"), fv.csv_files(SURVEY_HEADER, SURVEY_ROWS)
            )
        },
        is_import=True,
    ),
    Target(
        "measurements_bulk (CSV)",
        "principal",
        u("measurements_bulk", doc="essa", pk=pk("essa")),
        lambda w: ImportForm(),
        ("progress.views_metrics.ImportForm",),
        fixed={"action": "import"},
        files={
            "file": lambda w: st.tuples(
                st.just("m.csv"), fv.csv_files(MEASURE_HEADER, _measure_rows(w))
            )
        },
        is_import=True,
    ),
    Target(
        "spf_district (CSV)",
        "staff",
        u("spf_district", pk=pk("district")),
        lambda w: SpfImportForm(district=w["district"]),
        ("progress.views_spf.SpfImportForm",),
        files={
            "file": lambda w: st.tuples(st.just("spf.csv"), fv.csv_files(SPF_HEADER, _spf_rows(w)))
        },
        is_import=True,
    ),
    Target(
        "analysis_edit (assessment CSV)",
        "teacher",
        u("analysis_edit", pk=pk("cap")),
        lambda w: AnalysisForm(instance=w["cap"].cap),
        ("meetings.forms_cap.AnalysisForm",),
        good={"strengths": "Readers", "areas_of_focus": "Fractions"},
        files={
            "assessment_file": lambda w: st.tuples(
                st.just("results.csv"), fv.csv_files(["pupil", "score"], [["JD", "12"]])
            )
        },
        is_import=True,
    ),
]


# Hand-read POSTs (no form class): the same rules.
def _review_fields(w):
    """An activity's row of the CIM review (progress/views_review.py), as its page sends it."""
    m = w["metric"]
    statuses = ["in_progress", "done", "not_started"]
    return {
        "version": (fv.numbers(), "0"),
        "status": (fv.choices(statuses), "in_progress"),
        "status_was": (fv.choices(statuses), "not_started"),
        "plan_status_was": (fv.choices(statuses), "not_started"),
        "barriers": (fv.text(), "Time"),
        "barriers_was": (fv.text(), ""),
        "next_steps": (fv.text(), "Plan"),
        "next_steps_was": (fv.text(), ""),
        f"value-{m.pk}": (fv.numbers(), "21"),
        f"value-{m.pk}_was": (fv.numbers(), "20"),
    }


def _review_minutes_fields(w):
    return {
        "version": (fv.numbers(), "0"),
        "text": (fv.text(), "Reviewed."),
        "text_was": (fv.text(), ""),
        "mark_held": (fv.booleans(), None),
    }


def _review_attendance_fields(w):
    lead = str(w["lead"].pk)
    return {
        "version": (fv.numbers(), "0"),
        "attended": (fv.id_lists(w["other_ids"] | {lead}), [lead]),
        "attended_was": (fv.id_lists(w["other_ids"] | {lead}), []),
    }


def _report_fields(w):
    s = str(w["strategy"].pk)
    return {
        "action": (fv.choices(["save", "preview", "sign_off", "correct"]), "save"),
        "narrative": (st.sampled_from(["1", "0", ""]), "1"),
        "summary": (fv.text(), "Summary"),
        f"barriers-{s}": (fv.text(), "Barriers"),
        f"next_steps-{s}": (fv.text(), "Next"),
        "send_to_selpa": (fv.booleans(), None),
        "year": (fv.numbers(), str(YEAR)),
    }


RAW_TARGETS = [
    Target(
        "review_activity",
        "lead",
        lambda w: reverse("review_activity", args=[w["review"].pk, w["activity"].pk]),
        raw=_review_fields,
    ),
    Target(
        "review_minutes",
        "lead",
        u("review_minutes", pk=pk("review")),
        raw=_review_minutes_fields,
    ),
    Target(
        "review_attendance",
        "lead",
        u("review_attendance", pk=pk("review")),
        raw=_review_attendance_fields,
    ),
    Target(
        "spf_school (summary)",
        "principal",
        u("spf_school", school_pk=pk("school")),
        raw=lambda w: {
            "action": (fv.choices(["save", "publish", "unpublish"]), "save"),
            "text-en": (fv.text(), "Our results"),
            "text-es": (fv.text(), "Nuestros resultados"),
            "year": (fv.numbers(), str(YEAR)),
        },
    ),
    Target(
        "report_due_dates",
        "staff",
        u("report_due_dates", pk=pk("district")),
        raw=lambda w: {
            **{f"due-{n}": (fv.dates(), "") for n in (1, 2, 3, 4)},
            "year": (fv.numbers(), str(YEAR)),
        },
    ),
    Target(
        "cap_carried_over",
        "principal",
        u("cap_carried_over", pk=pk("school")),
        raw=lambda w: {
            "year": (fv.numbers(), str(w["year"].start_year)),
            "confirm": (fv.text(), "all"),
            "remove": (fv.text(), ""),
        },
    ),
    Target(
        "comment_add",
        "lead",
        u("comment_add", pk=pk("plan")),
        raw=lambda w: {
            "text": (fv.text(), "A comment"),
            "review": (fv.ids(w["other_ids"] | {str(w["review"].pk)}), ""),
        },
        also=(404,),  # a review id that is not this district's review: no such review
    ),
    Target(
        "progress_report (narrative)",
        "lead",
        u("progress_report", pk=pk("report")),
        raw=_report_fields,
    ),
    Target(
        "measurements_bulk (rows)",
        "principal",
        u("measurements_bulk", doc="essa", pk=pk("essa")),
        raw=lambda w: {
            f"value-{w['essa_metric'].pk}": (fv.numbers(), "7"),
            f"date-{w['essa_metric'].pk}": (fv.dates(), on(11, 20).isoformat()),
            f"note-{w['essa_metric'].pk}": (fv.text(), "ok"),
        },
    ),
    Target(
        "essa_decide",
        "staff",
        u("essa_decide", pk=pk("essa")),
        raw=lambda w: {
            "decision": (fv.choices(["return", "accept"]), "return"),
            "comment": (fv.text(), "More detail"),
        },
    ),
    Target(
        "essa_submit",
        "principal",
        u("essa_submit", pk=pk("essa")),
        raw=lambda w: {"anything": (fv.text(), "")},
    ),
    Target(
        "blueprint_publish",
        "principal",
        u("blueprint_publish", pk=pk("blueprint")),
        raw=lambda w: {"publish": (fv.choices(["0", "1"]), "1")},
    ),
    Target(
        "workshop_cancel",
        "principal",
        u("workshop_cancel", pk=pk("registration")),
        raw=lambda w: {"confirm": (fv.booleans(), "on")},
    ),
    Target(
        "doc_item_remove",
        "principal",
        lambda w: reverse(
            "doc_item_remove",
            kwargs={
                "doc": "essa",
                "pk": w["essa"].pk,
                "kind": "problem",
                "item_pk": w["problem"].pk,
            },
        ),
        raw=lambda w: {"confirm": (fv.booleans(), "on")},
    ),
]

# The plan documents' items: the parent each kind hangs on, and an item to edit.
PARENTS = {
    "activity": "strategy",
    "outcome": "activity",
    "activity-metric": "activity",
    "root-cause": "problem",
    "goal-metric": "goal",
    "initiative-metric": "initiative",
}
DOCUMENT_OF = {
    "cim/plans": "plan",
    "essa": "essa",
    "blueprints": "blueprint",
    "cadres": "cadre",
    "sami": "sami",
}
EDIT_ITEMS = {
    ("cim/plans", "strategy"): "strategy",
    ("cim/plans", "activity"): "activity",
    ("cim/plans", "outcome"): "outcome",
    ("essa", "problem"): "problem",
    ("essa", "root-cause"): "root_cause",
    ("essa", "metric"): "essa_metric",
    ("blueprints", "about"): "blueprint",
    ("blueprints", "goal"): "goal",
    ("blueprints", "initiative"): "initiative",
    ("cadres", "vision"): "cadre",
    ("cadres", "member"): "member",
    ("cadres", "action"): "cadre_action",
    ("sami", "about"): "sami",
    ("sami", "item"): "sami_item",
    ("sami", "member"): "sami_member",
}
USER_OF = {
    "cim/plans": "lead",
    "essa": "principal",
    "blueprints": "principal",
    "cadres": "principal",
    "sami": "principal",
}


def _kind_form(slug, kind_name, item_key=None):
    def make(w):
        kind = DOCUMENTS[slug].kinds[kind_name]
        form = kind.form_class()(instance=w[item_key] if item_key else None)
        if kind.limit:
            kind.limit(form, w[DOCUMENT_OF[slug]])
        return form

    return make


def document_targets():
    targets = []
    for slug, kind_name in document_kinds():
        kind = DOCUMENTS[slug].kinds[kind_name]
        document = DOCUMENT_OF[slug]
        classes = [kind.form] if kind.form else [kind.form_base]
        classes += [
            base for base in classes[0].__mro__[1:] if base.__module__.split(".")[0] in APPS
        ]
        covers = (f"doc:{slug}:{kind_name}", *(_dotted(c) for c in classes))
        if kind.given is not None:
            kwargs = {"doc": slug, "pk": pk(document), "kind": kind_name}
            name = "doc_item_add"
            if kind.parent:
                kwargs["parent_pk"] = pk(PARENTS[kind_name])
                name = "doc_item_add_under"
            targets.append(
                Target(
                    f"{name} {slug} {kind_name}",
                    USER_OF[slug],
                    u(name, **kwargs),
                    _kind_form(slug, kind_name),
                    covers,
                )
            )
        item = EDIT_ITEMS.get((slug, kind_name))
        if item:
            targets.append(
                Target(
                    f"doc_item_edit {slug} {kind_name}",
                    USER_OF[slug],
                    u("doc_item_edit", doc=slug, pk=pk(document), kind=kind_name, item_pk=pk(item)),
                    _kind_form(slug, kind_name, item),
                    covers,
                )
            )
    return targets


ALL_TARGETS = FORM_TARGETS + IMPORT_TARGETS + RAW_TARGETS + document_targets()


# --- Values for each field ------------------------------------------------------------------


def _known_ids(form_field, w):
    own = {str(p) for p in form_field.queryset.values_list("pk", flat=True)[:5]}
    return own | w["other_ids"]


def strategy_for(form_field, w):
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return fv.id_lists(_known_ids(form_field, w))
    if isinstance(form_field, forms.ModelChoiceField):
        return fv.ids(_known_ids(form_field, w))
    if isinstance(form_field, forms.MultipleChoiceField):
        valid = [str(v) for v, _ in form_field.choices]
        return st.lists(fv.choices(valid), max_size=4)
    if isinstance(form_field, forms.ChoiceField):
        return fv.choices([str(v) for v, _ in form_field.choices if v != ""])
    if isinstance(form_field, forms.BooleanField):
        return fv.booleans()
    if isinstance(form_field, (forms.DateField, forms.DateTimeField)):
        return fv.dates()
    if isinstance(form_field, forms.TimeField):
        return fv.times()
    if isinstance(form_field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return fv.numbers()
    return fv.text()


def good_value(bound, form_field):
    value = bound.value()
    if isinstance(form_field, forms.BooleanField):
        return "on" if value else None
    if isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        values = [str(v) for v in (value or [])]
        if not values and form_field.required:
            first = next((v for v, _ in form_field.choices if v != ""), None)
            values = [str(first.value if hasattr(first, "value") else first)] if first else []
        return values
    if value not in (None, ""):
        if hasattr(value, "isoformat"):
            return (
                value.strftime("%H:%M")
                if isinstance(form_field, forms.TimeField)
                else value.isoformat()
            )
        return str(value)
    if isinstance(form_field, forms.ChoiceField):
        first = next((v for v, _ in form_field.choices if v != ""), "")
        return str(first.value if hasattr(first, "value") else first)
    if isinstance(form_field, (forms.DateField, forms.DateTimeField)):
        return on(12, 1).isoformat()
    if isinstance(form_field, forms.TimeField):
        return "15:00"
    if isinstance(form_field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return str(form_field.min_value if form_field.min_value is not None else 5)
    if isinstance(form_field, forms.URLField):
        return "https://example.org/fuzz"
    if isinstance(form_field, forms.EmailField):
        return "fuzz@example.org"
    if isinstance(form_field, forms.FileField):
        return None
    return "Fuzz value"


def field_specs(form, target, w):
    """{posted name: (strategy, good value)} of a form or formset."""
    if isinstance(form, BaseFormSet):
        management = form.management_form
        specs = {
            management.add_prefix(name): (fv.numbers(), str(management[name].value()))
            for name in management.fields
        }
        for sub in form.forms:
            specs.update(field_specs(sub, target, w))
        return specs
    specs = {}
    for name, form_field in form.fields.items():
        if name in target.files:
            continue
        good = target.good.get(name, good_value(form[name], form_field))
        specs[form.add_prefix(name)] = (strategy_for(form_field, w), good)
    return specs


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def send(client, url, data, files):
    pairs = [
        (name, item)
        for name, value in data.items()
        for item in (value if isinstance(value, list) else [value])
        if item is not None
    ]
    if files:
        payload = {}
        for name, item in pairs:
            payload.setdefault(name, []).append(_text(item))
        for name, (file_name, content) in files.items():
            payload[name] = SimpleUploadedFile(file_name.replace("\x00", ""), content)
        return client.post(url, payload)
    return client.post(url, urlencode(pairs), content_type="application/x-www-form-urlencoded")


def _error_messages(response):
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [m for m in queued if m.level >= django_messages.ERROR]


def assert_escaped(response, where):
    if "html" not in response.get("Content-Type", ""):
        return
    for marker in fv.RAW_MARKERS:
        assert marker not in response.content, f"{where}: unescaped {marker!r}"


def _diff(before, after):
    return {
        k: (before.get(k), after.get(k))
        for k in set(before) | set(after)
        if before.get(k) != after.get(k)
    }


def check_one(client, target, w, url, data, files):
    """One example: post it, judge the answer, roll the database back."""
    with transaction.atomic():
        before = _fingerprint()
        response = send(client, url, data, files)
        STATS["examples"] += 1
        if response.status_code >= 500:
            STATS["server errors"] += 1
        assert response.status_code in (200, 302, *target.also), (target.name, response.status_code)
        if response.status_code in target.also:
            assert _fingerprint() == before
            transaction.set_rollback(True)
            return
        assert_escaped(response, target.name)
        refused = response.status_code == 200 or _error_messages(response)
        if refused:
            after = _fingerprint()
            if after != before:
                STATS["partial writes"] += 1
            assert after == before, (target.name, "refused but wrote", _diff(before, after))
        else:
            STATS["saved"] += 1
            page = client.get(response["Location"])
            assert page.status_code in (200, 302), (target.name, response["Location"])
            assert_escaped(page, f"{target.name} -> {response['Location']}")
        transaction.set_rollback(True)


def fuzz(target, w):
    if target.setup:
        target.setup(w)
    client = Client()
    client.force_login(w[target.user])
    url = target.url(w)
    specs = field_specs(target.form(w), target, w) if target.form else {}
    if target.raw:
        specs.update(target.raw(w))
    names = sorted(specs)
    file_strategies = {name: make(w) for name, make in target.files.items()}

    @FUZZ
    @given(st.data())
    def run(data):
        chosen = data.draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
        post = dict(target.fixed)
        for name in names:
            strategy, good = specs[name]
            post[name] = data.draw(strategy, label=name) if name in chosen else good
        files = {}
        for name, strategy in file_strategies.items():
            if target.is_import or data.draw(st.booleans(), label=f"attach {name}"):
                files[name] = data.draw(strategy, label=name)
        check_one(client, target, w, url, post, files)

    run()


# --- The tests ------------------------------------------------------------------------------


def test_every_form_has_a_declared_way_to_reach_it():
    covered = {c for target in ALL_TARGETS for c in target.covers}
    missing = sorted(set(project_forms()) - covered)
    assert missing == [], f"Forms no fuzz target reaches: {missing}"
    kinds = {f"doc:{slug}:{kind}" for slug, kind in document_kinds()}
    assert kinds - covered == set(), f"Plan items no fuzz target reaches: {kinds - covered}"
    STATS["forms"] = len(project_forms()) + len(kinds)


@pytest.mark.parametrize("target", FORM_TARGETS + document_targets(), ids=lambda t: t.name)
def test_form_fuzz(target, world):
    fuzz(target, world)


@pytest.mark.parametrize("target", RAW_TARGETS, ids=lambda t: t.name)
def test_hand_read_post_fuzz(target, world):
    fuzz(target, world)


@pytest.mark.parametrize("target", IMPORT_TARGETS, ids=lambda t: t.name)
def test_csv_import_fuzz(target, world):
    STATS["imports"] += 1
    fuzz(target, world)


@pytest.mark.parametrize(
    "target",
    # One file each; the roster upload (three file fields, 50 MB) has its own test of the limit.
    [target for target in IMPORT_TARGETS if len(target.files) == 1],
    ids=lambda t: t.name,
)
@pytest.mark.parametrize("size", ["5 MB", "100k rows"])
def test_csv_import_refuses_huge_files(target, size, world):
    """Past the size limit: a clear message naming it, nothing written, no server error."""
    client = Client()
    client.force_login(world[target.user])
    header = ["a", "b"]
    content = (
        fv.csv_bytes([header]) + b"x" * (5 * 1024 * 1024)
        if size == "5 MB"
        else fv.csv_bytes([header, *[["parent", "1"]] * 100_000])
    )
    form = target.form(world)
    data = dict(target.fixed)
    data.update({k: v for k, (_, v) in field_specs(form, target, world).items()})
    (file_field,) = target.files
    with transaction.atomic():
        before = _fingerprint()
        response = send(client, target.url(world), data, {file_field: ("big.csv", content)})
        STATS["examples"] += 1
        assert response.status_code in (200, 302)
        if size == "5 MB":
            assert response.status_code == 200 and b"larger than" in response.content
        if response.status_code == 200:
            assert b"Nothing was" in response.content or b"larger than" in response.content
            assert _fingerprint() == before
        transaction.set_rollback(True)


# --- CSV exports ----------------------------------------------------------------------------


@given(st.text())
def test_spreadsheet_safe_never_leaves_a_formula(value):
    safe = spreadsheet_safe(value)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (value, "'" + value)
    assert safe == value or value.startswith(FORMULA_STARTS)


def test_spreadsheet_safe_of_none_and_numbers():
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(-5) == "'-5"
    assert spreadsheet_safe(5) == "5"


def _cells(content):
    text = content.decode("utf-8").removeprefix("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _live_formulas(cells):
    return [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


@FUZZ
@given(formula=st.sampled_from([*fv.FORMULAS, fv.SCRIPT]), data=st.data())
def test_csv_exports_neutralise_formulas(formula, data, world_for_exports):
    w = world_for_exports
    client = Client()
    client.force_login(w["staff"])
    with transaction.atomic():
        hostile = lambda: formula + data.draw(st.text(max_size=10))  # noqa: E731
        School.objects.filter(pk=w["school"].pk).update(name=hostile())
        w["district"].__class__.objects.filter(pk=w["district"].pk).update(name=hostile())
        w["registration"].__class__.objects.filter(pk=w["registration"].pk).update(
            dietary_notes=hostile()
        )
        TeamMember.objects.create(
            registration=w["registration"], name=hostile(), role=hostile()[:100]
        )
        ProblemStatement.objects.filter(pk=w["problem"].pk).update(
            desired_state=hostile(), current_state=hostile(), gap=hostile()
        )
        w["root_cause"].__class__.objects.filter(pk=w["root_cause"].pk).update(
            description=hostile(), evidence=hostile()
        )
        w["essa_metric"].__class__.objects.filter(pk=w["essa_metric"].pk).update(
            name=hostile(), unit=hostile()[:20]
        )
        exports = {
            "essa": reverse("essa_export", kwargs={"pk": w["essa"].pk, "fmt": "csv"}),
            "roster": reverse("workshop_roster_csv", kwargs={"pk": w["series"].pk}),
            "attendance": reverse("workshop_attendance_csv", kwargs={"pk": w["series"].pk}),
            "compliance": reverse("compliance", kwargs={"pk": w["district"].pk}) + "?format=csv",
        }
        for name, url in exports.items():
            response = client.get(url)
            STATS["examples"] += 1
            assert response.status_code == 200, name
            assert response["Content-Type"].startswith("text/csv"), name
            cells = _cells(response.content)
            assert _live_formulas(cells) == [], name
            assert any(cell.startswith("'" + formula[:1]) for cell in cells) or formula == fv.SCRIPT
        # The ESSA export reads back to what was stored, formulas and all.
        plan = export.load(w["essa"].pk)
        text = export.essa_csv(plan)
        assert export.read_essa_csv(text) == [
            tuple(export._text(cell) for cell in row) for row in export.essa_content(plan)
        ]
        transaction.set_rollback(True)
    STATS["exports"] = len(exports)


@pytest.fixture
def world_for_exports(world):
    return world


def test_zz_summary(capsys):
    with capsys.disabled():
        print(
            f"\n[fuzz] {STATS['forms']} forms, {len(IMPORT_TARGETS)} imports, "
            f"{STATS['exports']} exports, {STATS['examples']} examples "
            f"({STATS['saved']} saved), {STATS['server errors']} server errors, "
            f"{STATS['partial writes']} partial writes, "
            f"{time.monotonic() - STARTED:.0f} s"
        )
