"""Every URL of the project against every role (issue 12 item 1): nobody reaches what is not
theirs, by changing an id or by being the wrong role in the right district.

The URL list comes from the resolver, so a new view cannot escape: a URL with no declared way to
build it, or with no declared same-district expectation, fails the test.

Across districts: each logged-in role of the home district asks for every URL built with the
foreign district's objects, by GET and by POST; anything but 403/404/405 is a leak, and the
database must be unchanged after all the POSTs. Anonymous visitors are sent to the login page
everywhere except the public pages.

Within one district (two schools): every role asks for every URL built on school A's and the
district's objects and gets exactly the status SAME_DISTRICT declares (from DOMAIN.md and
schoolplan.permissions); those who may not change a thing POST and are refused, those who may get
past the permission check. No GET writes to the database, every state-changing URL wants the
CSRF token, and the canaries in a pupil note and a group note of school A reach nobody outside
the class team: no page, download, PDF, e-mail or log line.
"""

import base64
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail as django_mail
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from pypdf import PdfReader

from meetings import calendar as calendar_services
from meetings import workshops
from meetings.models import (
    ActionItem,
    GroupNote,
    Invitation,
    PupilNote,
    SamiItem,
    SamiTeamMember,
)
from plans import cadre as cadre_services
from plans import services as plan_services
from plans import surveys, workflow
from plans.models import CadreAction, Initiative, ProblemStatement, Strategy
from progress import spf
from progress.models import Measurement, Metric, RenderJob
from progress.reports import periods as report_periods
from progress.reports import render as report_render
from progress.reports import workflow as report_workflow
from schoolplan import mail, pdf_jobs, reminders
from schoolplan.models import (
    DISTRICT_ROLES,
    CimStatus,
    EssaDesignation,
    NotificationSettings,
    OutboxEmail,
    Role,
    RosterImport,
)

from ..cap_helpers import make_class, make_point, schedule_cap
from ..cim_helpers import make_plan, review_on
from ..clock import YEAR, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import schedule

pytestmark = pytest.mark.django_db

CANARY = "CANARY-pupil-matrix-5e2b"
# seed 003 (issue 23): a group note can identify children ("the three boys in set 2"): its own
# canary, so that a page leaking group notes only is caught too.
GROUP_CANARY = "CANARY-group-matrix-7a41"
CANARIES = (CANARY, GROUP_CANARY)
ALLOWED = {403, 404, 405}
# Public pages: no login. Everything else sends an anonymous visitor to the login page.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation",
    "sso_start",
    "sso_callback",
    "family_school",
    "family_school_in",
    "family_blueprint",
    "family_blueprint_in",
    "family_meeting_ics",
    "family_meeting_ics_in",
    "family_reply",
    "family_reply_in",
    "family_reply_change",
    "family_reply_change_in",
    "calendar_feed",
    "notification_settings_token",
    "health",
}
# Pages about the signed-in person only, with no object in their address.
PERSONAL = {
    "home",
    "school_list",
    "notification_settings",
    "logout",
    "password_change",
    "password_change_done",
    "two_factor_account",
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_backup_codes",
    "two_factor_off",
}


@pytest.fixture(autouse=True)
def eve_of_the_meetings(clock):
    """The pages show the world as of a day: the matrix states it, the eve of the CPM and CAP
    meetings of its school year (10 November), so it passes whatever the date."""
    clock.set(on(11, 9))


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            yield from _walk(pattern.url_patterns)
        else:
            yield pattern.name, pattern.default_args.get("doc")


def all_urls():
    return sorted({(name, doc or "") for name, doc in _walk(get_resolver().url_patterns)})


def one_of_everything(district, year, school, principal, teacher, lead, canary=CANARY):
    """One of each kind of object of school (and of its district), the canaries in a pupil note
    and a group note."""
    meeting = schedule(school, principal, day=on(11, 10))
    action = ActionItem.objects.create(
        meeting=meeting, description="x", owner=teacher, due_on=on(12, 1)
    )
    Invitation.objects.create(meeting=meeting, user=teacher)
    school_class = make_class(school, year, teacher)
    cap = schedule_cap(school_class, make_point(school, year), teacher)
    PupilNote.objects.create(cap=cap.cap, pupil="JD", note=canary)
    GroupNote.objects.create(cap=cap.cap, group="Set 2", note=f"The three boys {GROUP_CANARY}")
    cap_action = ActionItem.objects.create(meeting=cap, description="y", owner=teacher)
    plan, activity, metric = make_plan(district, year, lead)
    review = review_on(district, lead, on(10, 15))
    measurement = Measurement.objects.create(metric=metric, date=on(10, 15), value=Decimal("20"))
    essa = workflow.start_essa_plan(school=school, year=year, user=principal)
    problem = plan_services.add(
        ProblemStatement, user=principal, plan=essa, desired_state="a", current_state="b", gap="c"
    )
    essa_metric = Metric.objects.create(
        essa_plan=essa, name="m", baseline=1, target=2, target_date=on(6, 1)
    )
    blueprint = workflow.start_blueprint(school=school, year=year, user=principal)
    initiative = Initiative.objects.create(blueprint=blueprint, area="math", title="t")
    cadre = cadre_services.start_cadre(school=school, year=year, user=principal)
    cadre_action = CadreAction.objects.create(cadre=cadre, description="d", owner="o")
    survey = surveys.import_survey(
        cadre,
        user=principal,
        kind="parent",
        title="S",
        data=b"respondent_group,Q\nparent,Agree\n",
    )
    spf.save_texts(school, year, {"en": "x"}, user=principal)
    due = report_periods.ensure_due_dates(district, year)[0]
    report = report_workflow.start_report(due, user=lead)
    job = RenderJob.objects.create(report=report, content={})
    series = workshops.create_series(
        district=district,
        year=year,
        user=lead,
        title="W",
        description="",
        registration_opens=on(1, 1, start_year=YEAR - 1),
        priority_closes=on(1, 2, start_year=YEAR - 1),
        registration_closes=on(1, 1, start_year=YEAR + 3),
        elementary_capacity=5,
        secondary_capacity=5,
    )
    session = workshops.add_session(
        series,
        user=lead,
        day=on(2, 2),
        starts=time(9),
        ends=time(12),
        place="p",
        level="elementary",
    )
    registration = workshops.register(
        series,
        school=school,
        session=session,
        user=principal,
        people=6,
        prework="p",
        today=on(6, 1, start_year=YEAR - 1),
    )
    feed = calendar_services.create_feed(school, principal)
    sami = workflow.start_sami(school=school, year=year, user=principal)
    sami_item = plan_services.add(SamiItem, user=principal, sami=sami, name="Tier 1", rating=1)
    sami_member = plan_services.add(
        SamiTeamMember, user=principal, sami=sami, name="Ana", role="Coach"
    )
    return {
        "sami_member": sami_member,
        "sami": sami,
        "sami_item": sami_item,
        "district": district,
        "year": year,
        "school": school,
        "meeting": meeting,
        "action": action,
        "class": school_class,
        "cap": cap,
        "cap_action": cap_action,
        "plan": plan,
        "strategy": Strategy.objects.get(plan=plan),
        "outcome": metric.outcome,
        "review": review,
        "measurement": measurement,
        "essa": essa,
        "problem": problem,
        "essa_metric": essa_metric,
        "blueprint": blueprint,
        "initiative": initiative,
        "cadre": cadre,
        "step": cadre.steps.first(),
        "cadre_action": cadre_action,
        "survey": survey,
        "report": report,
        "job": job,
        "series": series,
        "registration": registration,
        "feed": feed,
        # A PDF made in the worker for the CIM lead: theirs alone (schoolplan.pdf_jobs).
        "pdf_job": pdf_jobs.run_pdf_job(
            pdf_jobs.request_pdf("essa-plan", {"plan": essa.pk}, user=lead).pk
        ),
        # A roster upload checked and waiting for its confirmation (schoolplan.roster_jobs).
        "roster_import": RosterImport.objects.create(
            district=district, filename="roster.zip", status="done", counts={}
        ),
    }


@pytest.fixture
def foreign():
    """Another district with one of everything."""
    district = DistrictFactory(cim_status=CimStatus.INTENSIVE_1, name="Foreign USD")
    year = SchoolYearFactory(district=district, start_year=YEAR)
    school = SchoolFactory(
        district=district, essa_designation=EssaDesignation.TARGETED, title_i=True
    )
    principal = member(Role.PRINCIPAL, school)
    teacher = member(Role.SCHOOL_STAFF, school)
    lead = member(Role.CIM_LEAD, district)
    return one_of_everything(district, year, school, principal, teacher, lead)


def build(name, doc, w):
    """The URL named name, pointing at the foreign world's objects."""
    pk = lambda key: {"pk": w[key].pk}  # noqa: E731
    school = {"pk": w["school"].pk}
    table = {
        "school_detail": school,
        "school_edit": school,
        "school_meetings": school,
        "cpm_year": school,
        "schedule_cpm": school,
        "schedule_title_i": school,
        "cap_overview": school,
        "cap_carried_over": school,
        "school_calendar": school,
        "district_detail": pk("district"),
        "district_edit": pk("district"),
        "cim_level": pk("district"),
        "school_year_create": {"district_pk": w["district"].pk},
        "school_year_edit": {"district_pk": w["district"].pk, "pk": w["year"].pk},
        # The next year is started from the district's latest.
        "school_year_next": {
            "district_pk": w["district"].pk,
            "pk": w["district"].school_years.order_by("-start_year").first().pk,
        },
        "workshops": pk("district"),
        "workshop_series": pk("series"),
        "workshop_roster_csv": pk("series"),
        "school_workshops": {"school_pk": w["school"].pk},
        "workshop_register": {"series_pk": w["series"].pk, "school_pk": w["school"].pk},
        "workshop_registration": pk("registration"),
        "workshop_cancel": pk("registration"),
        "workshop_prework_file": pk("registration"),
        "workshop_prework": pk("registration"),
        "school_sami": {"school_pk": w["school"].pk},
        "sami": pk("sami"),
        "workshop_team": pk("registration"),
        "session_attendance": {"pk": w["registration"].session_id},
        "workshop_attendance_csv": pk("series"),
        "school_problem_solving": {"school_pk": w["school"].pk},
        "meeting_detail": pk("meeting"),
        "meeting_edit": pk("meeting"),
        "meeting_cancel": pk("meeting"),
        "agenda_edit": pk("meeting"),
        "meeting_invite": pk("meeting"),
        "minutes_edit": pk("meeting"),
        "minutes_publish": pk("meeting"),
        "minutes_amend": pk("meeting"),
        "action_add": pk("meeting"),
        "action_update": pk("action"),
        "goal_add": pk("meeting"),
        "class_record": pk("class"),
        "schedule_cap": pk("class"),
        "analysis_edit": pk("cap"),
        "analysis_file": pk("cap"),
        "note_add": pk("cap"),
        "review_add": {"pk": w["cap"].pk, "action_pk": w["cap_action"].pk},
        "meeting_ics": pk("meeting"),
        "meeting_flyer": {"pk": w["meeting"].pk, "language": "es"},
        "cim_plan": pk("plan"),
        "ta_sessions": pk("plan"),
        "school_essa": {"school_pk": w["school"].pk},
        "essa_plan": pk("essa"),
        "essa_submit": pk("essa"),
        "essa_decide": pk("essa"),
        "essa_export": {"pk": w["essa"].pk, "fmt": "csv"},
        "essa_pdf": pk("essa"),
        "compliance_pdf": pk("district"),
        "pdf_job": pk("pdf_job"),
        "pdf_job_download": pk("pdf_job"),
        "pdf_job_retry": pk("pdf_job"),
        "roster_imports": pk("district"),
        "roster_import": pk("roster_import"),
        "roster_import_confirm": pk("roster_import"),
        "school_blueprint": {"school_pk": w["school"].pk},
        "blueprint": pk("blueprint"),
        "blueprint_publish": pk("blueprint"),
        "school_cadre": {"school_pk": w["school"].pk},
        "cadre": pk("cadre"),
        "cadre_step": {"pk": w["cadre"].pk, "step_pk": w["step"].pk},
        "cadre_consensus": {"pk": w["cadre"].pk, "step_pk": w["step"].pk},
        "cadre_share": pk("cadre"),
        "survey_import": pk("cadre"),
        "cadre_survey": {"pk": w["cadre"].pk, "survey_pk": w["survey"].pk},
        "cim_home": pk("district"),
        "plan_start": pk("district"),
        "cim_team_edit": pk("district"),
        "review_schedule": pk("district"),
        "review_record": pk("review"),
        "review_activity": {"pk": w["review"].pk, "activity_pk": w["outcome"].activity_id},
        "review_attendance": pk("review"),
        "review_minutes": pk("review"),
        "review_poll": pk("review"),
        "metric_edit": pk("outcome"),
        "comment_add": pk("plan"),
        "metric_detail": {"pk": w["essa_metric"].pk},
        "metric_measure": {"pk": w["essa_metric"].pk},
        "measurement_correct": pk("measurement"),
        "measurement_remove": pk("measurement"),
        "spf_school": {"school_pk": w["school"].pk},
        "translations_home": {"school_pk": w["school"].pk},
        "translations_edit": {"school_pk": w["school"].pk, "language": "es"},
        "compliance": pk("district"),
        "progress_reports": pk("district"),
        "report_due_dates": pk("district"),
        "report_start": {"pk": w["district"].pk, "number": 1},
        "progress_report": pk("report"),
        "progress_report_pdf": pk("report"),
        "report_confirm": pk("report"),
        "report_allow_early": pk("report"),
        "report_selpa_form": pk("report"),
        "render_job": pk("job"),
        "render_job_pdf": pk("job"),
        "spf_district": pk("district"),
    }
    documents = {
        "cim/plans": (w["plan"], "strategy", w["strategy"], None),
        "essa": (w["essa"], "problem", w["problem"], None),
        "blueprints": (w["blueprint"], "initiative", w["initiative"], None),
        "cadres": (w["cadre"], "action", w["cadre_action"], None),
        "sami": (w["sami"], "item", w["sami_item"], None),
    }
    if doc:
        document, kind, item, _ = documents[doc]
        kwargs = {"doc": doc, "pk": document.pk}
        if name in ("doc_item_add",):
            kwargs["kind"] = kind
        elif name == "doc_item_add_under":
            kwargs.update(
                kind="root-cause"
                if doc == "essa"
                else "activity"
                if doc == "cim/plans"
                else "initiative-metric"
                if doc == "blueprints"
                else "member",
                parent_pk=item.pk,
            )
        elif name in ("doc_item_edit", "doc_item_remove"):
            kwargs.update(kind=kind, item_pk=item.pk)
        return reverse(name, kwargs=kwargs)
    if name not in table:
        raise KeyError(name)
    return reverse(name, kwargs=table[name])


@pytest.fixture
def home_users():
    """Every role of the home district (Intensive, so its TA provider is active)."""
    district = DistrictFactory(cim_status=CimStatus.INTENSIVE_2, name="Home USD")
    SchoolYearFactory(district=district, start_year=YEAR)
    school = SchoolFactory(district=district)
    return {
        role: member(
            role,
            district
            if role in {Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER}
            else school,
        )
        for role in Role
    }


def _fingerprint():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("schoolplan", "meetings", "plans", "progress")
        and model._meta.model_name not in ("outboxemail", "auditevent")
    }


def test_every_url_is_declared(foreign):
    missing = []
    for name, doc in all_urls():
        if name in PUBLIC or name in PERSONAL:
            continue
        try:
            build(name, doc, foreign)
        except KeyError:
            missing.append(name)
    assert missing == [], f"URLs with no declared expectation: {missing}"


def test_no_role_reaches_another_districts_objects(client, foreign, home_users, capsys):
    cases, leaks = 0, []
    urls = [
        (name, doc, build(name, doc, foreign))
        for name, doc in all_urls()
        if name not in PUBLIC and name not in PERSONAL
    ]
    before = _fingerprint()
    for role, user in home_users.items():
        client.force_login(user)
        for name, doc, url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                cases += 1
                if response.status_code not in ALLOWED:
                    leaks.append((role.value, method.upper(), name, doc, response.status_code))
                for canary in _canaries_in(response.content):
                    leaks.append((role.value, method.upper(), name, doc, canary))
    with capsys.disabled():
        print(f"\n[permission matrix] {cases} cross-district cases, {len(leaks)} leaks")
    assert leaks == []
    assert _fingerprint() == before  # no POST changed anything


def test_anonymous_visitors_go_to_the_login_page(client, foreign):
    login = reverse("login")
    wrong = []
    for name, doc in all_urls():
        if name in PUBLIC or name in ("logout",):
            continue
        url = reverse(name) if name in PERSONAL else build(name, doc, foreign)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or not response["Location"].startswith(login):
                wrong.append((method.upper(), name, response.status_code))
    assert wrong == []


def test_public_pages_show_nothing_private(client, foreign):
    school = foreign["school"]
    pages = [
        reverse("family_school", args=[school.public_slug]),
        reverse("family_school_in", args=[school.public_slug, "es"]),
        reverse("calendar_feed", args=[foreign["feed"].token]),
        reverse("family_meeting_ics", args=[school.public_slug, foreign["meeting"].pk]),
        reverse("family_meeting_ics_in", args=[school.public_slug, "es", foreign["meeting"].pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert _canaries_in(response.content) == set()
    cap_ics = reverse("family_meeting_ics", args=[school.public_slug, foreign["cap"].pk])
    assert client.get(cap_ics).status_code == 404
    cap_ics = reverse("family_meeting_ics_in", args=[school.public_slug, "es", foreign["cap"].pk])
    assert client.get(cap_ics).status_code == 404
    token = NotificationSettings.objects.create(user=foreign["action"].owner).token
    assert client.get(reverse("notification_settings_token", args=[token])).status_code == 200


def test_the_same_urls_do_work_for_the_objects_own_people(client, foreign):
    """The control: the addresses the matrix builds are right, and open for those entitled.
    (Otherwise a wrong id would make every case a 404 and prove nothing.)"""
    from schoolplan.models import Membership

    staff = member(Role.DISTRICT_STAFF, foreign["district"])
    principal = Membership.objects.get(role=Role.PRINCIPAL, school=foreign["school"]).user
    expected = {
        staff: [
            "district_detail",
            "compliance",
            "cim_home",
            "meeting_detail",
            "essa_plan",
            "blueprint",
            "cadre",
            "workshop_series",
            "progress_report",
            "metric_detail",
            "spf_district",
            "progress_reports",
            "school_detail",
            "cim_plan",
            "review_record",
        ],
        principal: [
            "school_detail",
            "meeting_detail",
            "class_record",
            "essa_plan",
            "cadre",
            "spf_school",
            "blueprint",
            "school_workshops",
            "workshop_registration",
            "workshop_prework",
            "sami",
            "cap_overview",
            "cadre_survey",
            "metric_detail",
            "school_calendar",
        ],
    }
    for user, names in expected.items():
        client.force_login(user)
        for name in names:
            response = client.get(build(name, "", foreign))
            assert response.status_code == 200, (user, name, response.status_code)
    client.force_login(principal)
    for doc in ("essa", "blueprints", "cadres", "sami"):
        assert client.get(build("doc_item_edit", doc, foreign)).status_code == 200, doc


# --- The same district: every role against school A's and the district's objects ------------
#
# One district, two schools. Every role of the district asks for every URL built on school A's
# objects (and the district's), and gets exactly what the domain says: the page (200, or the
# redirect some pages answer with), 403 where it may see the object but not do this, 404 where
# the object is not its business at all (get_visible_or_404: no hint that it exists).

DISTRICT_STAFF = "district staff"
CIM_LEAD = "CIM lead"
CIM_MEMBER = "CIM member"
TA_PROVIDER = "TA provider"
PRINCIPAL_A = "principal of A"
PRINCIPAL_B = "principal of B"
TEACHER_A = "teacher of A (the class's)"
STAFF_A = "other staff of A"
TEACHER_B = "teacher of B"
CADRE_A = "cadre member of A"
CADRE_B = "cadre member of B"
ROLES = {
    DISTRICT_STAFF: Role.DISTRICT_STAFF,
    CIM_LEAD: Role.CIM_LEAD,
    CIM_MEMBER: Role.CIM_MEMBER,
    TA_PROVIDER: Role.TA_PROVIDER,
    PRINCIPAL_A: Role.PRINCIPAL,
    PRINCIPAL_B: Role.PRINCIPAL,
    TEACHER_A: Role.SCHOOL_STAFF,
    STAFF_A: Role.SCHOOL_STAFF,
    TEACHER_B: Role.SCHOOL_STAFF,
    CADRE_A: Role.CADRE_MEMBER,
    CADRE_B: Role.CADRE_MEMBER,
}
EVERYONE = frozenset(ROLES)

# Who holds what on school A and its district (schoolplan.permissions, DOMAIN.md "The people").
DISTRICT_VIEWERS = frozenset({DISTRICT_STAFF, CIM_LEAD, CIM_MEMBER, TA_PROVIDER})
# The district's work beyond the CIM: not the TA provider, who sees the CIM plan and reviews only.
DISTRICT_WORKERS = frozenset({DISTRICT_STAFF, CIM_LEAD, CIM_MEMBER})
SCHOOL_A = frozenset({DISTRICT_STAFF, CIM_LEAD, CIM_MEMBER, PRINCIPAL_A, TEACHER_A, STAFF_A})
MANAGERS_A = frozenset({DISTRICT_STAFF, PRINCIPAL_A})
RECORD_KEEPERS_A = frozenset({DISTRICT_STAFF, PRINCIPAL_A, TEACHER_A, STAFF_A})
# seed 003: group and pupil notes and the class's assessment data: its teacher and the school's
# leader.
CLASS_TEAM_A = frozenset({PRINCIPAL_A, TEACHER_A})
PLAN_WRITERS_A = frozenset({PRINCIPAL_A, TEACHER_A, STAFF_A})
CIM_TEAM = frozenset({CIM_LEAD, CIM_MEMBER})
CIM_COMMENTERS = frozenset({CIM_LEAD, CIM_MEMBER, TA_PROVIDER, DISTRICT_STAFF})
CADRE_READERS_A = frozenset({DISTRICT_STAFF, PRINCIPAL_A, TEACHER_A, STAFF_A, CADRE_A})
CADRE_WRITERS_A = frozenset({PRINCIPAL_A, TEACHER_A, STAFF_A, CADRE_A})
ONLY = frozenset  # e.g. ONLY({PRINCIPAL_A})


@dataclass(frozen=True)
class Expect:
    """What one URL gives each role of the district.

    sees: the roles the object exists for; anyone else gets 404.
    opens: the roles a GET opens the page for (others who see the object: 403); default sees.
    changes: the roles whose POST may change something. Anyone else's POST is refused (403 if
      they see the object, else 404), or, on a page with no form (changes empty), answered like
      the GET; either way nothing changes.
    """

    sees: frozenset
    opens: frozenset | None = None
    changes: frozenset = frozenset()
    status: int = 200  # what GET gives the roles it opens for
    post_only: bool = False
    post: dict = field(default_factory=dict)  # what a refused POST sends

    def on_get(self, role):
        if self.post_only:
            return 405
        if role in (self.sees if self.opens is None else self.opens):
            return self.status
        return 403 if role in self.sees else 404

    def on_refused_post(self, role):
        if not self.changes and not self.post_only:
            return self.on_get(role)
        return 403 if role in self.sees else 404


def _edits(sees, writers, **options):
    """A page whose GET shows the form to those who may use it, and whose POST changes things."""
    return Expect(sees, opens=writers, changes=writers, **options)


def _posts(sees, writers, **options):
    """A POST-only action."""
    return Expect(sees, changes=writers, post_only=True, **options)


def _reads(sees, **options):
    return Expect(sees, **options)


SAME_DISTRICT = {
    # Organisations
    "school_detail": _reads(SCHOOL_A),
    "school_edit": _edits(SCHOOL_A, MANAGERS_A),
    "district_detail": _reads(DISTRICT_VIEWERS),
    "district_edit": _edits(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "cim_level": _edits(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "school_year_create": _edits(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "school_year_edit": _edits(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "school_year_next": _edits(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    # Meetings: the school's staff keep the record, its principal (and district staff) host it.
    "school_meetings": _reads(SCHOOL_A),
    "cpm_year": _reads(SCHOOL_A),
    "schedule_cpm": _edits(SCHOOL_A, MANAGERS_A),
    "schedule_title_i": _edits(SCHOOL_A, MANAGERS_A),
    "school_calendar": Expect(SCHOOL_A, changes=MANAGERS_A),
    "meeting_detail": _reads(SCHOOL_A),
    "meeting_ics": _reads(SCHOOL_A),
    # Its families' flyer (a PDF job, progress.flyer): whoever sees the meeting.
    "meeting_flyer": _posts(SCHOOL_A, SCHOOL_A),
    "meeting_edit": _edits(SCHOOL_A, MANAGERS_A),
    "meeting_cancel": _edits(SCHOOL_A, MANAGERS_A),
    "meeting_invite": _edits(SCHOOL_A, MANAGERS_A),
    "agenda_edit": _edits(SCHOOL_A, RECORD_KEEPERS_A),
    "minutes_edit": _edits(SCHOOL_A, RECORD_KEEPERS_A),
    # Unpublished minutes: the amendment page sends the keepers to the minutes form.
    "minutes_amend": _edits(SCHOOL_A, RECORD_KEEPERS_A, status=302),
    "minutes_publish": _posts(SCHOOL_A, RECORD_KEEPERS_A),
    "action_add": _posts(SCHOOL_A, RECORD_KEEPERS_A),
    "action_update": _posts(SCHOOL_A, RECORD_KEEPERS_A),
    "goal_add": _posts(SCHOOL_A, RECORD_KEEPERS_A),
    # CAP (seed 003): staff only; the class's record is shared with the school's staff, its
    # pupil-level parts (notes, assessment file) with the class team only.
    "cap_overview": Expect(SCHOOL_A, opens=RECORD_KEEPERS_A, changes=MANAGERS_A),
    "cap_carried_over": _posts(SCHOOL_A, MANAGERS_A),
    "class_record": _reads(RECORD_KEEPERS_A),
    "schedule_cap": _edits(RECORD_KEEPERS_A, CLASS_TEAM_A),
    "analysis_edit": _edits(RECORD_KEEPERS_A, CLASS_TEAM_A),
    "analysis_file": _reads(CLASS_TEAM_A),
    "note_add": _posts(RECORD_KEEPERS_A, CLASS_TEAM_A),
    "review_add": _posts(RECORD_KEEPERS_A, CLASS_TEAM_A),
    # Workshops (seed 002): the district runs them, a school's staff register it.
    "workshops": Expect(DISTRICT_WORKERS, changes=ONLY({DISTRICT_STAFF})),
    "workshop_series": Expect(DISTRICT_WORKERS, changes=ONLY({DISTRICT_STAFF})),
    "workshop_roster_csv": _reads(DISTRICT_WORKERS),
    "school_workshops": _reads(SCHOOL_A),
    # School A is registered already: its staff are shown the registration.
    "workshop_register": _edits(SCHOOL_A, PLAN_WRITERS_A, status=302),
    "workshop_registration": Expect(SCHOOL_A | DISTRICT_WORKERS, changes=PLAN_WRITERS_A),
    # seed 002: the team by name (the school, until the session); who came, recorded by district
    # staff (the district pays off-contract time); each school's problem-solving step, which
    # its staff see and district staff set.
    "workshop_team": Expect(SCHOOL_A | DISTRICT_WORKERS, changes=PLAN_WRITERS_A),
    "session_attendance": Expect(DISTRICT_WORKERS, changes=ONLY({DISTRICT_STAFF})),
    "workshop_attendance_csv": _reads(DISTRICT_WORKERS),
    "school_problem_solving": Expect(SCHOOL_A, changes=ONLY({DISTRICT_STAFF})),
    "workshop_cancel": _posts(SCHOOL_A | DISTRICT_WORKERS, PLAN_WRITERS_A),
    "workshop_prework_file": _reads(SCHOOL_A | DISTRICT_WORKERS),
    # seed 002: the school gives its pre-work; the district reads it on the registration.
    "workshop_prework": _edits(SCHOOL_A | DISTRICT_WORKERS, PLAN_WRITERS_A),
    # The SAMI note catcher (seed 002): the school's staff keep it, the district reads it.
    "school_sami": _reads(SCHOOL_A, status=302),
    "sami": Expect(SCHOOL_A, changes=PLAN_WRITERS_A),
    ("doc_history", "sami"): _reads(SCHOOL_A),
    ("doc_item_add", "sami"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    # Its items have no parent item: an address naming one is a 404 to those who may edit.
    ("doc_item_add_under", "sami"): Expect(SCHOOL_A, opens=PLAN_WRITERS_A, status=404),
    ("doc_item_edit", "sami"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_remove", "sami"): _posts(SCHOOL_A, PLAN_WRITERS_A),
    # The school's plans: its staff write them, the principal submits or publishes, district
    # staff accept or return. The plan of the year exists, so the school's page redirects to it.
    "school_essa": _reads(SCHOOL_A, status=302),
    "essa_plan": _reads(SCHOOL_A),
    "essa_submit": _posts(SCHOOL_A, ONLY({PRINCIPAL_A})),
    "essa_decide": _posts(SCHOOL_A, ONLY({DISTRICT_STAFF})),
    "essa_export": _reads(SCHOOL_A),
    # Asking for a PDF writes a job (its page then shows the progress): whoever sees the object.
    "essa_pdf": _posts(SCHOOL_A, SCHOOL_A),
    "compliance_pdf": _posts(DISTRICT_WORKERS, DISTRICT_WORKERS),
    "pdf_job": _reads(ONLY({CIM_LEAD})),
    "pdf_job_download": _reads(ONLY({CIM_LEAD})),
    "pdf_job_retry": _posts(ONLY({CIM_LEAD}), ONLY({CIM_LEAD})),
    # The roster import: the district's staff only (schoolplan.views_roster).
    "roster_imports": _edits(ONLY({DISTRICT_STAFF}), ONLY({DISTRICT_STAFF})),
    "roster_import": _reads(ONLY({DISTRICT_STAFF})),
    "roster_import_confirm": _posts(ONLY({DISTRICT_STAFF}), ONLY({DISTRICT_STAFF})),
    "school_blueprint": _reads(SCHOOL_A, status=302),
    "blueprint": _reads(SCHOOL_A),
    "blueprint_publish": _posts(SCHOOL_A, ONLY({PRINCIPAL_A})),
    ("doc_history", "essa"): _reads(SCHOOL_A),
    ("doc_item_add", "essa"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_add_under", "essa"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_edit", "essa"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_remove", "essa"): _posts(SCHOOL_A, PLAN_WRITERS_A),
    ("measurements_bulk", "essa"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_history", "blueprints"): _reads(SCHOOL_A),
    ("doc_item_add", "blueprints"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_add_under", "blueprints"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_edit", "blueprints"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    ("doc_item_remove", "blueprints"): _posts(SCHOOL_A, PLAN_WRITERS_A),
    ("measurements_bulk", "blueprints"): _edits(SCHOOL_A, PLAN_WRITERS_A),
    "metric_detail": _reads(SCHOOL_A),
    "metric_measure": _posts(SCHOOL_A, PLAN_WRITERS_A),
    "spf_school": Expect(SCHOOL_A, changes=ONLY({PRINCIPAL_A})),
    # The families' words in their languages: the school's staff translate them.
    "translations_home": _reads(SCHOOL_A),
    "translations_edit": Expect(PLAN_WRITERS_A, changes=PLAN_WRITERS_A),
    # The cadre (seed 004): its members see and contribute, and nothing else of the school.
    "school_cadre": _reads(CADRE_READERS_A, status=302),
    "cadre": _reads(CADRE_READERS_A),
    "cadre_step": _posts(CADRE_READERS_A, CADRE_WRITERS_A),
    "cadre_consensus": _edits(CADRE_READERS_A, CADRE_WRITERS_A),
    "cadre_share": _posts(CADRE_READERS_A, MANAGERS_A),
    "survey_import": _edits(CADRE_READERS_A, CADRE_WRITERS_A),
    "cadre_survey": _reads(CADRE_READERS_A),
    ("doc_history", "cadres"): _reads(CADRE_READERS_A),
    ("doc_item_add", "cadres"): _edits(CADRE_READERS_A, CADRE_WRITERS_A),
    # Cadre items have no parent: the principal forms the cadre (member), and a parent id in
    # the address is a 404 for those who may; the rest are refused first.
    ("doc_item_add_under", "cadres"): Expect(CADRE_READERS_A, opens=MANAGERS_A, status=404),
    ("doc_item_edit", "cadres"): _edits(CADRE_READERS_A, CADRE_WRITERS_A),
    ("doc_item_remove", "cadres"): _posts(CADRE_READERS_A, CADRE_WRITERS_A),
    # CIM (seed 001): the team keeps the plan and logs reviews, its lead schedules them; the TA
    # provider of an Intensive district reads and comments; district staff read and comment.
    "cim_home": _reads(DISTRICT_VIEWERS),
    "cim_plan": _reads(DISTRICT_VIEWERS),
    "ta_sessions": Expect(DISTRICT_VIEWERS, changes=CIM_TEAM),
    "plan_start": _posts(DISTRICT_VIEWERS, CIM_TEAM),
    "cim_team_edit": _edits(DISTRICT_VIEWERS, ONLY({CIM_LEAD, DISTRICT_STAFF})),
    "review_schedule": _edits(DISTRICT_VIEWERS, ONLY({CIM_LEAD})),
    # The review page reads; its rows save on their own (a row's GET, without htmx, goes back
    # to the page); the poll reads what others saved.
    "review_record": _reads(DISTRICT_VIEWERS),
    "review_activity": Expect(DISTRICT_VIEWERS, changes=CIM_TEAM, status=302),
    "review_attendance": Expect(DISTRICT_VIEWERS, changes=CIM_TEAM, status=302),
    "review_minutes": Expect(DISTRICT_VIEWERS, changes=CIM_TEAM, status=302),
    "review_poll": _reads(DISTRICT_VIEWERS),
    "metric_edit": _edits(DISTRICT_VIEWERS, CIM_TEAM),
    # A CIM value's corrections and removal: the team that records it (issue 18).
    "measurement_correct": _edits(DISTRICT_VIEWERS, CIM_TEAM),
    "measurement_remove": _edits(DISTRICT_VIEWERS, CIM_TEAM),
    "comment_add": _posts(DISTRICT_VIEWERS, CIM_COMMENTERS),
    ("doc_history", "cim/plans"): _reads(DISTRICT_VIEWERS),
    ("doc_item_add", "cim/plans"): _edits(DISTRICT_VIEWERS, CIM_TEAM),
    ("doc_item_add_under", "cim/plans"): _edits(DISTRICT_VIEWERS, CIM_TEAM),
    ("doc_item_edit", "cim/plans"): _edits(DISTRICT_VIEWERS, CIM_TEAM),
    ("doc_item_remove", "cim/plans"): _posts(DISTRICT_VIEWERS, CIM_TEAM),
    ("measurements_bulk", "cim/plans"): _edits(DISTRICT_VIEWERS, CIM_TEAM),
    # Progress reports and the district's pages.
    "progress_reports": _reads(DISTRICT_VIEWERS),
    "report_due_dates": _posts(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "report_start": _posts(DISTRICT_VIEWERS, CIM_TEAM),
    "progress_report": Expect(
        DISTRICT_VIEWERS, changes=CIM_TEAM, post={"action": "save", "narrative": "1"}
    ),
    "progress_report_pdf": _reads(DISTRICT_VIEWERS),
    # Only the lead submits (the confirmation page); district staff allow a period's early
    # submission; the world's report has no SELPA form attached (a 404 for those who see it).
    "report_confirm": _edits(DISTRICT_VIEWERS, ONLY({CIM_LEAD})),
    "report_allow_early": _posts(DISTRICT_VIEWERS, ONLY({DISTRICT_STAFF})),
    "report_selpa_form": _reads(DISTRICT_VIEWERS, status=404),
    "render_job": _reads(DISTRICT_VIEWERS),
    "render_job_pdf": _reads(DISTRICT_VIEWERS),
    "compliance": _reads(DISTRICT_WORKERS),
    "spf_district": Expect(DISTRICT_WORKERS, changes=ONLY({DISTRICT_STAFF})),
    # The signed-in person's own pages.
    "home": _reads(EVERYONE),
    "school_list": _reads(EVERYONE),
    "notification_settings": Expect(EVERYONE, changes=EVERYONE),
    "logout": _posts(EVERYONE, EVERYONE),
    "password_change": Expect(EVERYONE, changes=EVERYONE),
    "password_change_done": _reads(EVERYONE),
    "two_factor_account": _reads(EVERYONE),
    "two_factor_setup": Expect(EVERYONE, changes=EVERYONE),
    "two_factor_verify": Expect(EVERYONE, changes=EVERYONE),
    "two_factor_backup_codes": _posts(EVERYONE, EVERYONE),
    "two_factor_off": _posts(EVERYONE, EVERYONE),
    # Public pages, the same for everyone; the Blueprint is not published.
    "login": Expect(EVERYONE, changes=EVERYONE),
    "password_reset": Expect(EVERYONE, changes=EVERYONE),
    "password_reset_done": _reads(EVERYONE),
    "password_reset_confirm": Expect(EVERYONE, changes=EVERYONE),
    "password_reset_complete": _reads(EVERYONE),
    "invitation": Expect(EVERYONE, changes=EVERYONE),
    # Single sign-on is off here (no OIDC_ISSUER): there is no such page for anyone.
    "sso_start": Expect(frozenset()),
    "sso_callback": Expect(frozenset()),
    "family_school": _reads(EVERYONE),
    "family_school_in": _reads(EVERYONE),
    "family_blueprint": _reads(frozenset()),
    "family_blueprint_in": _reads(frozenset()),
    "family_meeting_ics": _reads(EVERYONE),
    "family_meeting_ics_in": _reads(EVERYONE),
    # A family's answer: anyone may send one (a POST without the form's stamp keeps nothing);
    # a private link that does not exist is a 404 for everyone.
    "family_reply": Expect(EVERYONE, changes=EVERYONE),
    "family_reply_in": Expect(EVERYONE, changes=EVERYONE),
    "family_reply_change": Expect(frozenset()),
    "family_reply_change_in": Expect(frozenset()),
    "calendar_feed": _reads(EVERYONE),
    "notification_settings_token": Expect(EVERYONE, changes=EVERYONE),
    "health": _reads(EVERYONE),
}
# Besides the one object build() points each URL at: the pages that show a CAP meeting (where
# group and pupil notes appear) and a CIM review, and the PDFs made on request.
EXTRA = {
    "meeting_detail (CAP)": (
        lambda w: reverse("meeting_detail", args=[w["cap"].pk]),
        _reads(RECORD_KEEPERS_A),
    ),
    "meeting_ics (CAP)": (
        lambda w: reverse("meeting_ics", args=[w["cap"].pk]),
        _reads(RECORD_KEEPERS_A),
    ),
    "meeting_detail (CIM review)": (
        lambda w: reverse("meeting_detail", args=[w["review"].pk]),
        _reads(DISTRICT_VIEWERS),
    ),
    # The old PDF addresses lead to the pages that ask the worker for them.
    "essa_export (PDF)": (
        lambda w: reverse("essa_export", args=[w["essa"].pk, "pdf"]),
        _reads(SCHOOL_A, status=302),
    ),
    "compliance (PDF)": (
        lambda w: reverse("compliance", args=[w["district"].pk]) + "?format=pdf",
        _reads(DISTRICT_WORKERS, status=302),
    ),
}


def expectation(name, doc):
    return SAME_DISTRICT.get((name, doc)) or SAME_DISTRICT.get(name)


def build_any(name, doc, w):
    """Any URL of the project, on world w's objects (the public and personal pages too)."""
    if name in PERSONAL:
        return reverse(name)
    slug = w["school"].public_slug
    public = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "no-such-token"},
        "invitation": {"uidb64": "MQ", "token": "no-such-token"},
        "family_school": {"slug": slug},
        "family_school_in": {"slug": slug, "language": "es"},
        "family_blueprint": {"slug": slug},
        "family_blueprint_in": {"slug": slug, "language": "es"},
        "family_meeting_ics": {"slug": slug, "pk": w["meeting"].pk},
        "family_meeting_ics_in": {"slug": slug, "language": "es", "pk": w["meeting"].pk},
        "family_reply": {"slug": slug, "pk": w["meeting"].pk},
        "family_reply_in": {"slug": slug, "language": "es", "pk": w["meeting"].pk},
        "family_reply_change": {"slug": slug, "token": "no-such-token"},
        "family_reply_change_in": {"slug": slug, "language": "es", "token": "no-such-token"},
        "calendar_feed": {"token": w["feed"].token},
        "notification_settings_token": {"token": w["preferences"].token},
    }
    if name in PUBLIC:
        return reverse(name, kwargs=public.get(name, {}))
    return build(name, doc, w)


@pytest.fixture
def same_district(settings, tmp_path):
    """One district, school A with one of everything, school B beside it, and every role.
    Returns the world (build()'s keys, on school A) and the people by role."""
    settings.MEDIA_ROOT = tmp_path
    district = DistrictFactory(
        cim_status=CimStatus.INTENSIVE_2,
        name="Same USD",
        cde_consultant_email="consultant@cde.example.gov",  # a submission needs its routing
    )
    year = SchoolYearFactory(district=district, start_year=YEAR)
    school_a = SchoolFactory(
        district=district, name="School A", essa_designation=EssaDesignation.TARGETED, title_i=True
    )
    school_b = SchoolFactory(district=district, name="School B")
    of_b = {PRINCIPAL_B, TEACHER_B, CADRE_B}
    people = {
        key: member(
            role,
            district if role in DISTRICT_ROLES else school_b if key in of_b else school_a,
        )
        for key, role in ROLES.items()
    }
    lead = people[CIM_LEAD]
    w = one_of_everything(district, year, school_a, people[PRINCIPAL_A], people[TEACHER_A], lead)
    # The class's assessment data names pupils too (seed 003).
    w["cap"].cap.assessment_file.save(
        "scores.csv", ContentFile(f"pupil,score\nJD {CANARY},12\n".encode())
    )
    w["registration"].prework_file.save("sami-actions.txt", ContentFile(b"1. Walkthroughs\n"))
    # A submitted report: its PDF is made, frozen, and e-mailed to the state with the PDF.
    report_workflow.sign_off(w["report"], user=lead)
    w["job"] = report_render.run_job(
        report_render.request_render(w["report"], user=lead, submit=True).pk
    )
    w["report"].refresh_from_db()
    w["school_b"] = school_b
    w["preferences"] = NotificationSettings.objects.create(user=people[TEACHER_B])
    return w, people


def _project_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("schoolplan", "meetings", "plans", "progress")
        and model._meta.model_name not in ("outboxemail", "auditevent")
    ]


def _state():
    """A digest of every row of the project's tables (outbox and audit log aside), so a changed
    field shows, not only a changed count. A sign-in's last_login is not the page's doing."""
    digest = {}
    for model in _project_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.order_by("pk").values_list(*names)
        ]
        digest[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest


class _Writes:
    """Every INSERT, UPDATE or DELETE on the project's tables, as the database sees it: which
    request wrote, even a write that put back the same value (cheaper than a digest each time)."""

    STATEMENT = re.compile(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)

    def __init__(self):
        self.tables = {model._meta.db_table for model in _project_models()}
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        statement = self.STATEMENT.match(sql)
        if statement and statement.group(1) in self.tables:
            self.seen.append(sql[:60])
        return execute(sql, params, many, context)


def _changed(before, after):
    return sorted(label for label in after if before.get(label) != after[label])


_PDF_TEXT = {}


def _canaries_in(data):
    """Which of the note canaries data (bytes or text) carries."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return {canary for canary in CANARIES if canary in data}


def _text(response):
    """What a response shows: its body, or a download's bytes, and a PDF's text."""
    if getattr(response, "streaming", False):
        # Reading it to the end closes it (the test client's wrapper); closing it again here
        # would signal a finished request and close the test's database connection.
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if response.status_code == 200 and response["Content-Type"].startswith("application/pdf"):
        key = hashlib.sha256(data).digest()
        if key not in _PDF_TEXT:
            pages = PdfReader(io.BytesIO(data)).pages
            _PDF_TEXT[key] = "".join(page.extract_text() for page in pages).encode()
        data += _PDF_TEXT[key]
    return data


def _clients(people):
    clients = {}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def _same_district_urls(w):
    """(label, url, expectation) for every URL of the project, and the extra pages."""
    urls = []
    for name, doc in all_urls():
        label = f"{name} {doc}".strip()
        urls.append((label, build_any(name, doc, w), expectation(name, doc)))
    for label, (make, expect) in EXTRA.items():
        urls.append((label, make(w), expect))
    return urls


def _cross_district_urls(w):
    return [
        (f"{name} {doc}".strip(), build(name, doc, w))
        for name, doc in all_urls()
        if name not in PUBLIC and name not in PERSONAL
    ]


def test_every_url_has_a_same_district_expectation(same_district):
    w, _ = same_district
    missing = [(name, doc) for name, doc in all_urls() if expectation(name, doc) is None]
    assert missing == [], f"URLs with no declared same-district expectation: {missing}"
    for expect in [*SAME_DISTRICT.values(), *(e for _, e in EXTRA.values())]:
        assert expect.sees | (expect.opens or frozenset()) | expect.changes <= EVERYONE
    # Every URL builds on the world's objects.
    assert all(url for _, url, _ in _same_district_urls(w))


def test_every_get_answers_as_declared_and_changes_nothing(
    same_district, foreign, home_users, caplog, capsys
):
    """Both halves' GETs: the same district's roles get exactly the declared status, another
    district's roles get nothing; no GET writes to the database; the pupil and group note
    canaries are seen by the class team only (pages, downloads and the text of PDFs), and are
    in no log line."""
    caplog.set_level(logging.DEBUG)
    w, people = same_district
    same = _clients(people)
    cross = _clients({role.value: user for role, user in home_users.items()})
    wrong, team_saw, writes = [], set(), _Writes()
    cases = cross_cases = 0
    before = _state()
    with connection.execute_wrapper(writes):
        for label, url, expect in _same_district_urls(w):
            for role, client in same.items():
                written = len(writes.seen)
                response = client.get(url)
                cases += 1
                if response.status_code != expect.on_get(role):
                    wrong.append((role, label, response.status_code, expect.on_get(role)))
                for canary in _canaries_in(_text(response)):
                    if role in CLASS_TEAM_A:
                        team_saw.add((label, canary))
                    else:
                        wrong.append((role, label, canary))
                if len(writes.seen) > written:
                    wrong.append((role, label, "GET wrote", writes.seen[written:]))
        for label, url in _cross_district_urls(foreign):
            for role, client in cross.items():
                written = len(writes.seen)
                response = client.get(url)
                cross_cases += 1
                if response.status_code not in ALLOWED or _canaries_in(_text(response)):
                    wrong.append((role, f"foreign {label}", response.status_code))
                if len(writes.seen) > written:
                    wrong.append((role, f"foreign {label}", "GET wrote", writes.seen[written:]))
    with capsys.disabled():
        print(
            f"\n[permission matrix] {cases} same-district GET cases, {cross_cases} "
            f"cross-district GETs: {len(wrong)} leaks or writes"
        )
    assert wrong == []
    assert _changed(before, _state()) == []
    assert _canaries_in(caplog.text) == set()
    # The control: the canaries are there to be found, by those entitled to them.
    assert {
        ("class_record", CANARY),
        ("analysis_file", CANARY),
        ("meeting_detail (CAP)", CANARY),
        ("class_record", GROUP_CANARY),
        ("meeting_detail (CAP)", GROUP_CANARY),
    } <= team_saw


def test_same_district_posts_change_nothing_they_may_not(same_district, capsys):
    """Every role that may not change what a URL changes POSTs to it: refused (403 where it
    sees the object, 404 where it does not), or, on a page with no form, answered like its GET;
    nothing is written and no response carries a note canary."""
    w, people = same_district
    clients = _clients(people)
    wrong, cases, refused, writes = [], 0, 0, _Writes()
    before = _state()
    with connection.execute_wrapper(writes):
        for name, doc in all_urls():
            if name in PUBLIC or name in PERSONAL:
                continue  # a person's own settings and sign-out are theirs to change
            expect, url = expectation(name, doc), build(name, doc, w)
            for role, client in clients.items():
                if role in expect.changes:
                    continue
                written = len(writes.seen)
                response = client.post(url, expect.post)
                cases += 1
                refused += response.status_code in (403, 404, 405)
                if response.status_code != expect.on_refused_post(role):
                    wrong.append((role, name, doc, response.status_code))
                if role not in CLASS_TEAM_A and _canaries_in(_text(response)):
                    wrong.append((role, name, doc, _canaries_in(_text(response))))
                if len(writes.seen) > written:
                    wrong.append((role, name, doc, "wrote", writes.seen[written:]))
    gets = len(ROLES) * (len(all_urls()) + len(EXTRA))
    cross = 2 * len(Role) * len(_cross_district_urls(w))
    with capsys.disabled():
        print(
            f"\n[permission matrix] {gets + cases} same-district cases ({gets} GET, {cases} "
            f"POST of which {refused} refused), {len(wrong)} leaks; "
            f"{gets + cases + cross} with the cross-district ones"
        )
    assert wrong == []
    assert _changed(before, _state()) == []


def test_those_who_may_change_a_url_get_past_its_permission_check(same_district):
    """The other side of the table: every role declared able to change what a URL changes gets
    past the permission layer (its POST is answered, not refused). Each POST is rolled back, so
    each one meets the same world."""
    w, people = same_district
    clients = _clients(people)
    refused = []
    for name, doc in all_urls():
        if name in PUBLIC or name in PERSONAL:
            continue
        expect, url = expectation(name, doc), build(name, doc, w)
        for role in sorted(expect.changes):
            client = clients[role]
            with transaction.atomic():
                response = client.post(url, expect.post)
                transaction.set_rollback(True)
            if response.status_code in (403, 404, 405):
                refused.append((role, name, doc, response.status_code))
    assert refused == []


# The only forms without CSRF protection: a family's answer to a meeting. No session or account
# for a forged request to ride on, and families may refuse cookies; the form's signed one-time
# stamp is their check (progress.views_replies; tests/progress/test_family_replies.py).
CSRF_EXEMPT = {"family_reply", "family_reply_in", "family_reply_change", "family_reply_change_in"}


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.name, pattern.callback


def test_only_the_declared_views_are_exempt_from_csrf():
    exempt = {
        name
        for name, view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and name
    }
    assert exempt == CSRF_EXEMPT


def test_state_changing_urls_refuse_a_post_without_the_csrf_token(same_district):
    """CSRF: a POST without the token, by someone who may use the form, is a 403 that writes
    nothing, on every URL that changes anything (the public and personal forms too)."""
    w, people = same_district
    writes, wrong, cases = _Writes(), [], 0
    before = _state()
    with connection.execute_wrapper(writes):
        for name, doc in all_urls():
            expect = expectation(name, doc)
            if not expect.changes or name in CSRF_EXEMPT:
                continue
            role = next(role for role in ROLES if role in expect.changes)
            client = Client(enforce_csrf_checks=True)
            client.force_login(people[role])
            written = len(writes.seen)
            response = client.post(build_any(name, doc, w), expect.post)
            cases += 1
            if response.status_code != 403 or len(writes.seen) > written:
                wrong.append((role, name, doc, response.status_code, writes.seen[written:]))
    assert cases > 50
    assert wrong == []
    assert _changed(before, _state()) == []
    # The control: with the token, the same kind of POST goes through and writes.
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[TEACHER_A])
    client.get(reverse("meeting_detail", args=[w["meeting"].pk]))
    token = client.cookies["csrftoken"].value
    with connection.execute_wrapper(writes):
        response = client.post(
            reverse("goal_add", args=[w["meeting"].pk]),
            {"csrfmiddlewaretoken": token, "goal-area": "other", "goal-text": "Attendance"},
        )
    assert response.status_code == 302
    assert len(writes.seen) > written


def test_pupil_and_group_notes_reach_no_email_outside_the_class_team(same_district, caplog):
    """The canaries in no e-mail (queued in the outbox table, or sent) to anyone who may not see
    pupil and group notes, and in no log line, after the reminders of the CAP meeting's eve are
    sent."""
    caplog.set_level(logging.DEBUG)
    w, people = same_district
    reminders.sweep(today=on(11, 9))  # the eve of the CPM and CAP meetings
    reminders.send_digests(today=on(11, 9))
    mail.send_queued()
    team = {people[role].email for role in CLASS_TEAM_A}
    queued = list(OutboxEmail.objects.all())
    assert queued and django_mail.outbox  # the e-mails this checks do exist
    for email in queued:
        text = f"{email.subject} {email.body} {email.html_body}"
        if email.attachment_base64:
            text += _text_of_attachment(email.attachment_content, email.attachment_mimetype)
        else:
            text += email.attachment_content
        if _canaries_in(text):
            assert set(email.to) <= team, (email.subject, email.to)
    for message in django_mail.outbox:
        parts = [message.subject, message.body]
        parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
        for _, content, mimetype in message.attachments:
            if isinstance(content, bytes):
                parts.append(_text_of_attachment(base64.b64encode(content).decode(), mimetype))
            else:
                parts.append(str(content))
        if _canaries_in(" ".join(parts)):
            assert set(message.to) <= team, (message.subject, message.to)
    assert _canaries_in(caplog.text) == set()


def _text_of_attachment(encoded, mimetype):
    data = base64.b64decode(encoded)
    if mimetype == "application/pdf":
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", errors="replace")
