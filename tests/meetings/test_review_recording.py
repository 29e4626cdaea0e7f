"""The CIM monthly review, recorded by the team together (issue 18): each row saves on its own
with a version; a save over someone else's newer text is refused for that row only, showing both
texts; the plan's status changes only when it was changed on the review; a refused save shows
back exactly what was typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from meetings import recording as meeting_recording
from meetings.models import Invitation, Minutes
from plans import services as plan_services
from plans.models import Activity, Outcome, PlanChange, Strategy
from progress.measurements import record_value
from progress.models import ActivityReview, Measurement, Metric
from schoolplan.models import CimStatus, Role

from ..cim_helpers import make_plan, review_on
from ..clock import moment, on
from ..factories import DistrictFactory, SchoolYearFactory, UserFactory, member
from ..review_helpers import HTMX, activity_url, loaded, loaded_activity, page, row_fields

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

REVIEW_DAY = on(10, 15)
MONTH = f"{REVIEW_DAY:%B %Y}"


@pytest.fixture
def lead(district, school_year):
    return member(Role.CIM_LEAD, district, UserFactory(first_name="Ana", last_name="Lead"))


@pytest.fixture
def colleague(district, school_year):
    return member(Role.CIM_MEMBER, district, UserFactory(first_name="Ben", last_name="Member"))


@pytest.fixture
def setup(district, school_year, lead, clock):
    clock.set(on(10, 1))
    plan, activity, metric = make_plan(district, school_year, lead)
    return {"plan": plan, "activity": activity, "metric": metric}


@pytest.fixture
def review(setup, district, lead, colleague, clock):
    """The October review, 3 PM; it is 4:30 PM in the district when the team records it."""
    clock.set(moment(REVIEW_DAY, "09:00"))
    october = review_on(district, lead, REVIEW_DAY)
    for person in (lead, colleague):
        Invitation.objects.get_or_create(meeting=october, user=person)
    clock.set(moment(REVIEW_DAY, "16:30"))
    return october


@pytest.fixture
def two(client, lead, colleague, review):
    """The lead in this client, the member in another: two people on one page. They sign in
    once the clock is at the review (a session idle for an hour ends)."""
    from django.test import Client

    other = Client()
    client.force_login(lead)
    other.force_login(colleague)
    return client, other


def save(client, url, fields, htmx=True, **changes):
    data = {**fields, **changes}
    return client.post(url, data, **(HTMX if htmx else {}))


# --- Each row saves on its own --------------------------------------------------------------


def test_an_activity_row_saves_on_its_own(two, setup, review):
    lead_client, _ = two
    activity, metric = setup["activity"], setup["metric"]
    fields = loaded_activity(lead_client, review, activity)
    response = save(
        lead_client,
        activity_url(review, activity),
        fields,
        barriers="Sub shortages",
        next_steps="Cover rota",
        **{f"value-{metric.pk}": "22.5"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form") and "Cover rota" in html
    assert "Saved “Coach co-teachers”." in html  # read out by the page's live region
    entry = ActivityReview.objects.get(review=review)
    assert (entry.barriers, entry.next_steps, entry.version) == ("Sub shortages", "Cover rota", 1)
    value = Measurement.objects.get(metric=metric)
    assert (value.value, value.date, value.review) == (Decimal("22.5"), REVIEW_DAY, review)
    # The other rows are untouched: no minutes, no attendance.
    assert not Minutes.objects.exists()
    review.refresh_from_db()
    assert review.attendance_version == 0 and review.is_planned


def test_without_javascript_a_row_save_comes_back_to_the_row(two, setup, review):
    lead_client, _ = two
    activity = setup["activity"]
    fields = loaded_activity(lead_client, review, activity)
    response = save(lead_client, activity_url(review, activity), fields, htmx=False, barriers="x")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("review_record", args=[review.pk]) + f"#row-activity-{activity.pk}"
    )
    assert "Saved “Coach co-teachers”." in lead_client.get(response["Location"]).content.decode()


def test_minutes_and_attendance_save_on_their_own(two, review, lead, colleague):
    lead_client, _ = two
    minutes = loaded(lead_client, review, "minutes")
    response = save(
        lead_client, reverse("review_minutes", args=[review.pk]), minutes, text="All reviewed."
    )
    assert response.status_code == 200 and "Saved the minutes." in response.content.decode()
    attendance = loaded(lead_client, review, "attendance")
    response = save(
        lead_client,
        reverse("review_attendance", args=[review.pk]),
        attendance,
        attended=[lead.pk, colleague.pk],
    )
    assert response.status_code == 200 and "Saved the attendance." in response.content.decode()
    review.refresh_from_db()
    assert review.minutes.text == "All reviewed." and review.minutes.version == 1
    assert review.attendance_version == 1 and review.attendance_recorded_by == lead
    assert set(review.invitations.filter(attended=True).values_list("user", flat=True)) == {
        lead.pk,
        colleague.pk,
    }
    assert not ActivityReview.objects.exists()


def test_marking_held_goes_with_the_minutes(two, review):
    lead_client, _ = two
    minutes = loaded(lead_client, review, "minutes")
    response = save(
        lead_client,
        reverse("review_minutes", args=[review.pk]),
        minutes,
        text="Done.",
        mark_held="on",
    )
    assert "The review is marked held." in response.content.decode()
    review.refresh_from_db()
    assert review.is_held


# --- Two people, one row: refused for that row only, both texts shown -------------------------


def test_a_stale_save_is_refused_showing_both_texts(two, setup, review):
    lead_client, member_client = two
    activity = setup["activity"]
    url = activity_url(review, activity)
    lead_fields = loaded_activity(lead_client, review, activity)
    member_fields = loaded_activity(member_client, review, activity)
    assert save(lead_client, url, lead_fields, barriers="Two co-teachers on leave").status_code
    response = save(member_client, url, member_fields, barriers="Schedules clash on Fridays")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: Ana Lead saved this activity at 4:30 PM" in html  # the district's time
    assert "Two co-teachers on leave" in html  # theirs, beside the box
    assert ">Schedules clash on Fridays</textarea>" in html  # yours, in the box
    assert "Keep mine: save over theirs" in html and "Take theirs" in html
    assert ActivityReview.objects.get().barriers == "Two co-teachers on leave"
    # Keep mine: the row as it came back, saved again over the newer version.
    again = row_fields(html, f"row-activity-{activity.pk}")
    assert save(member_client, url, again).status_code == 200
    entry = ActivityReview.objects.get()
    assert (entry.barriers, entry.version) == ("Schedules clash on Fridays", 2)


def test_take_theirs_gives_the_row_as_saved(two, setup, review):
    lead_client, member_client = two
    activity = setup["activity"]
    url = activity_url(review, activity)
    stale = loaded_activity(member_client, review, activity)
    save(lead_client, url, loaded_activity(lead_client, review, activity), barriers="Theirs")
    save(member_client, url, stale, barriers="Mine")
    response = member_client.get(url, **HTMX)
    fields = row_fields(response.content.decode(), f"row-activity-{activity.pk}")
    assert (fields["barriers"], fields["version"]) == ("Theirs", "1")
    # Without JavaScript, the link goes back to the page at the row.
    assert member_client.get(url).status_code == 302


def test_boxes_not_touched_take_the_newer_text(two, setup, review):
    lead_client, member_client = two
    activity = setup["activity"]
    url = activity_url(review, activity)
    lead_fields = loaded_activity(lead_client, review, activity)
    member_fields = loaded_activity(member_client, review, activity)
    save(lead_client, url, lead_fields, barriers="Lead's barrier")
    html = save(member_client, url, member_fields, next_steps="Member's step").content.decode()
    again = row_fields(html, f"row-activity-{activity.pk}")
    assert (again["barriers"], again["next_steps"]) == ("Lead's barrier", "Member's step")
    assert "Updated to the newer saved text" in html
    save(member_client, url, again)
    entry = ActivityReview.objects.get()
    assert (entry.barriers, entry.next_steps) == ("Lead's barrier", "Member's step")


def test_a_conflict_in_one_row_leaves_the_others_saving(two, setup, review):
    lead_client, member_client = two
    activity = setup["activity"]
    member_page = page(member_client, review)
    save(
        lead_client,
        activity_url(review, activity),
        loaded_activity(lead_client, review, activity),
        barriers="Lead",
    )
    stale_row = row_fields(member_page, f"row-activity-{activity.pk}")
    refused = save(member_client, activity_url(review, activity), stale_row, barriers="Member")
    assert "Not saved" in refused.content.decode()
    minutes = row_fields(member_page, "row-minutes")
    saved = save(member_client, reverse("review_minutes", args=[review.pk]), minutes, text="M")
    assert "Saved the minutes." in saved.content.decode()
    assert Minutes.objects.get().text == "M"


def test_stale_minutes_are_refused_with_both_texts(two, review):
    lead_client, member_client = two
    url = reverse("review_minutes", args=[review.pk])
    lead_fields = loaded(lead_client, review, "minutes")
    member_fields = loaded(member_client, review, "minutes")
    save(lead_client, url, lead_fields, text="The lead's minutes.")
    html = save(member_client, url, member_fields, text="The member's minutes.").content.decode()
    assert "Ana Lead saved the minutes at 4:30 PM" in html
    assert "The lead&#x27;s minutes." in html
    assert ">The member&#x27;s minutes.</textarea>" in html
    assert Minutes.objects.get().text == "The lead's minutes."


def test_stale_attendance_is_refused_and_merged_by_person(two, review, lead, colleague):
    lead_client, member_client = two
    url = reverse("review_attendance", args=[review.pk])
    lead_fields = loaded(lead_client, review, "attendance")
    member_fields = loaded(member_client, review, "attendance")
    save(lead_client, url, lead_fields, attended=[lead.pk])
    html = save(member_client, url, member_fields, attended=[colleague.pk]).content.decode()
    assert "Not saved: Ana Lead saved the attendance" in html
    again = row_fields(html, "row-attendance")
    # Each ticked the box of a different person: the member's tick and the lead's are kept.
    assert sorted(map(int, again["attended"])) == sorted([lead.pk, colleague.pk])
    save(member_client, url, again)
    assert review.invitations.filter(attended=True).count() == 2


# --- The review and the plan agree ----------------------------------------------------------


def test_saving_a_row_leaves_the_plans_status_alone(two, setup, review, colleague):
    lead_client, member_client = two
    activity = setup["activity"]
    url = activity_url(review, activity)
    save(lead_client, url, loaded_activity(lead_client, review, activity), barriers="First")
    # The plan moves on after the review recorded "not started".
    plan_services.update(activity, user=colleague, expected_version=1, status="implemented")
    changes = PlanChange.objects.count()
    fields = loaded_activity(member_client, review, activity)
    assert fields["status"] == "not_started"  # the review's own record
    assert "In the plan now: Implemented." in page(member_client, review)
    save(member_client, url, fields, barriers="Second")
    activity.refresh_from_db()
    assert activity.status == "implemented"
    assert PlanChange.objects.count() == changes
    assert ActivityReview.objects.get().status == "not_started"


def test_a_status_changed_on_the_review_goes_to_the_plan_from_the_review(two, setup, review):
    lead_client, _ = two
    activity, plan = setup["activity"], setup["plan"]
    fields = loaded_activity(lead_client, review, activity)
    save(lead_client, activity_url(review, activity), fields, status="in_progress")
    activity.refresh_from_db()
    assert activity.status == "in_progress"
    change = PlanChange.objects.get(action="changed", object_kind="activity")
    assert change.source == f"the review of {MONTH}"
    assert change.changes == {"Implementation status": ["Not started", "In progress"]}
    history = lead_client.get(reverse("doc_history", kwargs={"doc": "cim/plans", "pk": plan.pk}))
    assert f"from the review of {MONTH}" in history.content.decode()


def test_a_status_changed_in_the_plan_meanwhile_is_a_conflict(two, setup, review, colleague):
    lead_client, _ = two
    activity = setup["activity"]
    fields = loaded_activity(lead_client, review, activity)
    plan_services.update(activity, user=colleague, expected_version=1, status="in_progress")
    response = save(lead_client, activity_url(review, activity), fields, status="implemented")
    html = response.content.decode()
    assert "In progress (in the plan)" in html and "Saved by Ben Member" in html
    assert 'value="implemented" selected' in html  # the lead's choice is kept
    activity.refresh_from_db()
    assert activity.status == "in_progress"
    assert not ActivityReview.objects.exists()
    # Keep mine: the lead saw theirs and still means it.
    again = row_fields(html, f"row-activity-{activity.pk}")
    save(lead_client, activity_url(review, activity), again)
    activity.refresh_from_db()
    assert activity.status == "implemented"


# --- Measurements of the review's day -------------------------------------------------------


def test_a_value_corrected_and_cleared_keeps_its_history(two, setup, review):
    lead_client, _ = two
    activity, metric = setup["activity"], setup["metric"]
    url = activity_url(review, activity)
    box = f"value-{metric.pk}"
    save(lead_client, url, loaded_activity(lead_client, review, activity), **{box: "22"})
    save(lead_client, url, loaded_activity(lead_client, review, activity), **{box: "23,5"})
    assert Measurement.objects.get(metric=metric).value == Decimal("23.5")
    assert Measurement.history.filter(metric=metric).count() == 2
    save(lead_client, url, loaded_activity(lead_client, review, activity), **{box: ""})
    assert not Measurement.objects.filter(metric=metric).exists()
    removed = Measurement.history.get(metric=metric, value=Decimal("23.5"))
    assert removed.removal_reason == f"Cleared on the review of {MONTH}."
    # Saving the row again with nothing changed writes nothing.
    before = Measurement.history.count()
    save(lead_client, url, loaded_activity(lead_client, review, activity))
    assert Measurement.history.count() == before


def test_a_value_changed_by_someone_else_meanwhile_is_a_conflict(two, setup, review, colleague):
    lead_client, _ = two
    activity, metric = setup["activity"], setup["metric"]
    fields = loaded_activity(lead_client, review, activity)
    record_value(metric, day=REVIEW_DAY, value=Decimal("30"), user=colleague)
    response = save(
        lead_client, activity_url(review, activity), fields, **{f"value-{metric.pk}": "25"}
    )
    html = response.content.decode()
    assert "Saved by Ben Member" in html and 'value="25"' in html
    assert Measurement.objects.get(metric=metric).value == Decimal("30")


# --- Every refusal shows back what was typed ------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_value_is_refused_with_the_typed_text_kept(two, setup, review, htmx):
    lead_client, _ = two
    activity, metric = setup["activity"], setup["metric"]
    fields = loaded_activity(lead_client, review, activity)
    response = save(
        lead_client,
        activity_url(review, activity),
        fields,
        htmx=htmx,
        barriers="Words I typed",
        **{f"value-{metric.pk}": "abc"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="abc"' in html and "“abc” is not a number." in html
    assert f'id="value-{metric.pk}_error"' in html  # beside the box, named by it
    assert ">Words I typed</textarea>" in html
    assert not ActivityReview.objects.exists() and not Measurement.objects.exists()


def test_marking_held_before_the_review_began_keeps_the_minutes(two, review, clock):
    lead_client, _ = two
    clock.set(moment(REVIEW_DAY, "14:00"))  # the review starts at 3 PM
    fields = loaded(lead_client, review, "minutes")
    for htmx in (True, False):
        response = save(
            lead_client,
            reverse("review_minutes", args=[review.pk]),
            fields,
            htmx=htmx,
            text="What we said",
            mark_held="on",
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert ">What we said</textarea>" in html
        assert "has not started yet" in html
        assert 'name="mark_held" id="mark_held" checked' in html
    assert not Minutes.objects.exists()
    review.refresh_from_db()
    assert review.is_planned


def test_a_refused_row_on_the_full_page_keeps_the_other_rows_as_saved(two, setup, review):
    lead_client, _ = two
    activity, metric = setup["activity"], setup["metric"]
    fields = loaded_activity(lead_client, review, activity)
    html = save(
        lead_client,
        activity_url(review, activity),
        fields,
        htmx=False,
        **{f"value-{metric.pk}": "1.234"},
    ).content.decode()
    assert "Not saved: “Coach co-teachers”" in html
    assert "more than two decimal places" in html
    assert 'id="row-minutes"' in html and "Summary minutes" in html


@pytest.mark.parametrize(
    "version",
    # A hand-edited version: not a number, too large for a column, or missing.
    ["²", "9" * 30, ""],
)
def test_hand_edited_versions_are_refused_not_a_500(two, setup, review, version):
    lead_client, _ = two
    activity = setup["activity"]
    fields = loaded_activity(lead_client, review, activity)
    response = save(
        lead_client, activity_url(review, activity), fields, version=version, barriers="x"
    )
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    assert not ActivityReview.objects.exists()
    for row in ("minutes", "attendance"):
        fields = loaded(lead_client, review, row)
        url = reverse(f"review_{row}", args=[review.pk])
        response = save(lead_client, url, fields, version=version, text="x")
        assert response.status_code == 200 and "Not saved" in response.content.decode()
    assert not Minutes.objects.exists()


def test_hand_edited_rows_are_refused_without_a_500(two, setup, review):
    lead_client, _ = two
    activity = setup["activity"]
    fields = loaded_activity(lead_client, review, activity)
    url = activity_url(review, activity)
    assert (
        "Choose an implementation status."
        in save(lead_client, url, fields, status="done").content.decode()
    )
    response = save(lead_client, url, fields, barriers="a\x00b", attended=["²", "9" * 30])
    assert response.status_code == 200
    assert ActivityReview.objects.get().barriers == "ab"
    attendance = loaded(lead_client, review, "attendance")
    response = save(
        lead_client,
        reverse("review_attendance", args=[review.pk]),
        attendance,
        attended=["²", "9" * 30, "abc"],
    )
    assert response.status_code == 200


def test_an_activity_of_another_plan_is_a_404(two, setup, review):
    lead_client, _ = two
    elsewhere = DistrictFactory(cim_status=CimStatus.INTENSIVE_1)
    year = SchoolYearFactory(district=elsewhere)
    _, foreign_activity, _ = make_plan(elsewhere, year, member(Role.CIM_LEAD, elsewhere))
    url = activity_url(review, foreign_activity)
    assert lead_client.post(url, {"barriers": "x"}).status_code == 404
    assert not ActivityReview.objects.exists()


def test_a_published_or_cancelled_review_refuses_row_saves(two, setup, review, lead):
    lead_client, _ = two
    activity = setup["activity"]
    fields = loaded_activity(lead_client, review, activity)
    meeting_recording.record_minutes(review, user=lead, text="Done", mark_held=True)
    meeting_recording.publish_minutes(review, user=lead)
    response = save(lead_client, activity_url(review, activity), fields, barriers="Late words")
    html = response.content.decode()
    assert "published" in html and ">Late words</textarea>" in html
    assert not ActivityReview.objects.exists()


# --- Who may record -------------------------------------------------------------------------


def _row_posts(review, activity):
    return {
        activity_url(review, activity): {"barriers": "x", "version": "0"},
        reverse("review_attendance", args=[review.pk]): {"attended": [], "version": "0"},
        reverse("review_minutes", args=[review.pk]): {"text": "x", "version": "0"},
    }


def test_a_cim_member_records(client, setup, review, colleague):
    client.force_login(colleague)
    for url, data in _row_posts(review, setup["activity"]).items():
        assert client.post(url, data).status_code == 302, url
    assert ActivityReview.objects.get().recorded_by == colleague
    assert Minutes.objects.get().recorded_by == colleague


@pytest.mark.parametrize("who", ["ta_provider", "principal", "foreign_lead"])
def test_others_cannot_record(client, setup, review, district, school, who):
    if who == "ta_provider":  # the district is in Intensive monitoring (the factory's)
        person, expected = member(Role.TA_PROVIDER, district), 403
    elif who == "principal":
        person, expected = member(Role.PRINCIPAL, school), 404
    else:
        elsewhere = DistrictFactory()
        SchoolYearFactory(district=elsewhere)
        person, expected = member(Role.CIM_LEAD, elsewhere), 404
    client.force_login(person)
    for url, data in _row_posts(review, setup["activity"]).items():
        assert client.post(url, data, **HTMX).status_code == expected, url
    poll = client.get(reverse("review_poll", args=[review.pk]), **HTMX)
    assert poll.status_code == (200 if who == "ta_provider" else 404)
    assert not ActivityReview.objects.exists() and not Minutes.objects.exists()
    review.refresh_from_db()
    assert review.attendance_version == 0


def test_the_ta_provider_reads_the_rows_without_save_buttons(client, setup, review, district):
    client.force_login(member(Role.TA_PROVIDER, district))
    html = page(client, review)
    assert "Coach co-teachers" in html and "<fieldset disabled>" in html
    assert "Keep mine" not in html and ">Save<" not in html


# --- Others' rows appear without a reload ---------------------------------------------------


def _stamps(html):
    import re

    return dict(re.findall(r'name="(stamp-[\w-]+)" value="([^"]*)"', html))


def test_the_poll_sends_only_rows_saved_since(two, setup, review):
    lead_client, member_client = two
    activity = setup["activity"]
    poll = reverse("review_poll", args=[review.pk])
    stamps = _stamps(page(member_client, review))
    assert len(stamps) == 3  # one activity, the attendance, the minutes
    assert member_client.get(poll, stamps, **HTMX).content.decode().strip() == ""
    save(
        lead_client,
        activity_url(review, activity),
        loaded_activity(lead_client, review, activity),
        barriers="Seen by the member",
    )
    html = member_client.get(poll, stamps, **HTMX).content.decode()
    assert f'id="row-activity-{activity.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "Seen by the member" in html and "Ana Lead saved “Coach co-teachers”." in html
    assert 'id="row-minutes"' not in html


def test_the_poll_asks_a_fixed_number_of_queries(
    two, setup, review, lead, district, django_assert_max_num_queries
):
    _, member_client = two
    poll = reverse("review_poll", args=[review.pk])
    stale = {k: "old" for k in _stamps(page(member_client, review))}
    with django_assert_max_num_queries(20) as few:
        assert member_client.get(poll, stale, **HTMX).status_code == 200
    count = len(few.captured_queries)
    with django_assert_max_num_queries(30) as few:
        page(member_client, review)
    page_count = len(few.captured_queries)
    plan = setup["plan"]
    for n in range(6):
        strategy = plan_services.add(Strategy, user=lead, plan=plan, title=f"S{n}")
        activity = plan_services.add(Activity, user=lead, strategy=strategy, title=f"A{n}")
        outcome = plan_services.add(Outcome, user=lead, activity=activity, description=f"O{n}")
        metric = Metric.objects.create(
            outcome=outcome, name=f"M{n}", baseline=1, target=2, target_date=on(6, 1)
        )
        record_value(metric, day=REVIEW_DAY, value=Decimal("1.5"), user=lead)
        ActivityReview.objects.create(review=review, activity=activity, status="in_progress")
    stale = {k: "old" for k in _stamps(page(member_client, review))}
    assert len(stale) == 9
    with django_assert_max_num_queries(count):
        html = member_client.get(poll, stale, **HTMX).content.decode()
    assert html.count('<form id="row-') == 9
    with django_assert_max_num_queries(page_count):
        page(member_client, review)


def test_the_page_loads_its_script_from_static_files(two, review):
    lead_client, _ = two
    html = page(lead_client, review)
    assert 'src="/static/js/review_together.js"' in html
    assert 'hx-trigger="every 4s"' in html and 'aria-live="polite"' in html
    assert "<script>" not in html  # the CSP allows no inline script
