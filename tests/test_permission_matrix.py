"""Every URL of the project against every role, on another district's objects (issue 12 item 1,
its cross-boundary half): nobody reaches another school's or district's data by changing an id.

The URL list comes from the resolver, so a new view cannot escape: a URL with no declared way to
build it fails the test. Each logged-in role of the home district asks for every URL built with
the foreign district's objects, by GET and by POST; anything but 403/404/405 is a leak, and the
database must be unchanged after all the POSTs. Anonymous visitors are sent to the login page
everywhere except the public pages. A canary in a foreign pupil note must appear in no response.
"""

from datetime import date, time
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse

from meetings import calendar as calendar_services
from meetings import workshops
from meetings.models import ActionItem, Invitation, PupilNote
from plans import cadre as cadre_services
from plans import services as plan_services
from plans import surveys, workflow
from plans.models import CadreAction, Initiative, ProblemStatement, Strategy
from progress import reports, spf
from progress.models import Measurement, Metric, RenderJob
from schoolplan.models import (
    CimStatus,
    EssaDesignation,
    NotificationSettings,
    Role,
)

from .cap_helpers import make_class, make_point, schedule_cap
from .cim_helpers import make_plan, review_on
from .factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from .meeting_helpers import schedule

pytestmark = pytest.mark.django_db

CANARY = "CANARY-pupil-matrix-5e2b"
ALLOWED = {403, 404, 405}
# Public pages: no login. Everything else sends an anonymous visitor to the login page.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "family_school",
    "family_school_in",
    "family_blueprint",
    "family_blueprint_in",
    "family_meeting_ics",
    "calendar_feed",
    "notification_settings_token",
}
# Pages about the signed-in person only, with no object in their address.
PERSONAL = {
    "home",
    "school_list",
    "notification_settings",
    "logout",
    "password_change",
    "password_change_done",
}


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


@pytest.fixture
def foreign():
    """Another district with one of everything."""
    district = DistrictFactory(cim_status=CimStatus.INTENSIVE_1, name="Foreign USD")
    year = SchoolYearFactory(district=district, start_year=2026)
    school = SchoolFactory(
        district=district, essa_designation=EssaDesignation.TARGETED, title_i=True
    )
    principal = member(Role.PRINCIPAL, school)
    teacher = member(Role.SCHOOL_STAFF, school)
    lead = member(Role.CIM_LEAD, district)
    meeting = schedule(school, principal, day=date(2026, 11, 10))
    action = ActionItem.objects.create(
        meeting=meeting, description="x", owner=teacher, due_on=date(2026, 12, 1)
    )
    Invitation.objects.create(meeting=meeting, user=teacher)
    school_class = make_class(school, year, teacher)
    cap = schedule_cap(school_class, make_point(school, year), teacher)
    PupilNote.objects.create(cap=cap.cap, pupil="JD", note=CANARY)
    cap_action = ActionItem.objects.create(meeting=cap, description="y", owner=teacher)
    plan, activity, metric = make_plan(district, year, lead)
    review = review_on(district, lead, date(2026, 10, 15))
    Measurement.objects.create(metric=metric, date=date(2026, 10, 15), value=Decimal("20"))
    essa = workflow.start_essa_plan(school=school, year=year, user=principal)
    problem = plan_services.add(
        ProblemStatement, user=principal, plan=essa, desired_state="a", current_state="b", gap="c"
    )
    essa_metric = Metric.objects.create(
        essa_plan=essa, name="m", baseline=1, target=2, target_date=date(2027, 6, 1)
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
    due = reports.ensure_due_dates(district, year)[0]
    report = reports.start_report(due, user=lead)
    job = RenderJob.objects.create(report=report, content={})
    series = workshops.create_series(
        district=district,
        year=year,
        user=lead,
        title="W",
        description="",
        registration_opens=date(2026, 1, 1),
        priority_closes=date(2026, 1, 2),
        registration_closes=date(2030, 1, 1),
        elementary_capacity=5,
        secondary_capacity=5,
    )
    session = workshops.add_session(
        series,
        user=lead,
        day=date(2027, 2, 2),
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
        today=date(2026, 6, 1),
    )
    feed = calendar_services.create_feed(school, principal)
    return {
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
    }


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
        "cap_overview": school,
        "school_calendar": school,
        "district_detail": pk("district"),
        "district_edit": pk("district"),
        "school_year_create": {"district_pk": w["district"].pk},
        "school_year_edit": {"district_pk": w["district"].pk, "pk": w["year"].pk},
        "workshops": pk("district"),
        "workshop_series": pk("series"),
        "workshop_roster_csv": pk("series"),
        "school_workshops": {"school_pk": w["school"].pk},
        "workshop_register": {"series_pk": w["series"].pk, "school_pk": w["school"].pk},
        "workshop_registration": pk("registration"),
        "workshop_cancel": pk("registration"),
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
        "cim_plan": pk("plan"),
        "ta_sessions": pk("plan"),
        "school_essa": {"school_pk": w["school"].pk},
        "essa_plan": pk("essa"),
        "essa_submit": pk("essa"),
        "essa_decide": pk("essa"),
        "essa_export": {"pk": w["essa"].pk, "fmt": "csv"},
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
        "metric_edit": pk("outcome"),
        "comment_add": pk("plan"),
        "metric_detail": {"pk": w["essa_metric"].pk},
        "metric_measure": {"pk": w["essa_metric"].pk},
        "spf_school": {"school_pk": w["school"].pk},
        "compliance": pk("district"),
        "progress_reports": pk("district"),
        "report_due_dates": pk("district"),
        "report_start": {"pk": w["district"].pk, "number": 1},
        "progress_report": pk("report"),
        "progress_report_pdf": pk("report"),
        "render_job": pk("job"),
        "render_job_pdf": pk("job"),
        "spf_district": pk("district"),
    }
    documents = {
        "cim/plans": (w["plan"], "strategy", w["strategy"], None),
        "essa": (w["essa"], "problem", w["problem"], None),
        "blueprints": (w["blueprint"], "initiative", w["initiative"], None),
        "cadres": (w["cadre"], "action", w["cadre_action"], None),
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
    SchoolYearFactory(district=district, start_year=2026)
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
                if CANARY.encode() in response.content:
                    leaks.append((role.value, method.upper(), name, doc, "canary"))
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
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert CANARY.encode() not in response.content
    cap_ics = reverse("family_meeting_ics", args=[school.public_slug, foreign["cap"].pk])
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
    for doc in ("essa", "blueprints", "cadres"):
        assert client.get(build("doc_item_edit", doc, foreign)).status_code == 200, doc
