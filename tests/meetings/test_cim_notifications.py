"""CIM notifications and dates (issue 18): scheduling a review invites the team with its .ics,
cancelling says who is told and tells only them, a comment tells the lead, and a review dated in
an earlier month is a late record (DOMAIN.md, "Recorded, not scheduled"), never a silent "held".

Dates: the school year the tests build (tests/clock.py). Reviews are planned on 1 Oct for
15 Oct; late records are entered on 4 Dec for 20 Nov; the district is in Denver."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import cim_reviews, recording, services
from meetings.models import Meeting, MeetingStatus
from progress import compliance
from progress.services import add_comment
from schoolplan.attention import cards_for
from schoolplan.models import CimTeam, NotificationSettings, OutboxEmail, ReminderCategory, Role

from ..cim_helpers import make_plan
from ..clock import YEAR, moment, on
from ..factories import DistrictFactory, SchoolYearFactory, UserFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

DENVER = ZoneInfo("America/Denver")
PLANNED_ON, REVIEW_DAY = on(10, 1), on(10, 15)
LATE_ENTRY_DAY, LATE_REVIEW_DAY = on(12, 4), on(11, 20)


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverbend USD", time_zone="America/Denver")


@pytest.fixture
def year(district):
    return SchoolYearFactory(district=district, start_year=YEAR)


@pytest.fixture
def people(district):
    named = {
        "lead": ("Ana", "Lead", Role.CIM_LEAD),
        "colleague": ("Ben", "Member", Role.CIM_MEMBER),
        "ta": ("Tia", "Provider", Role.TA_PROVIDER),
        "staff": ("Dora", "Staff", Role.DISTRICT_STAFF),
    }
    return {
        key: member(role, district, UserFactory(first_name=first, last_name=last))
        for key, (first, last, role) in named.items()
    }


@pytest.fixture
def team(district, year, people):
    team = CimTeam.objects.create(
        district=district, school_year=year, lead=people["lead"], ta_provider=people["ta"]
    )
    team.members.add(people["lead"], people["colleague"])
    return team


def schedule(district, user, day, *, at="15:00", **options):
    start = moment(day, at, DENVER)
    return cim_reviews.schedule_review(
        user=user,
        district=district,
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        place="District office, room 2",
        **options,
    )


def emails(prefix):
    return list(OutboxEmail.objects.filter(key__startswith=prefix).order_by("key"))


def calendar_of(email):
    return icalendar.Calendar.from_ical(email.attachment_content)


def month_of(district, year, day, today):
    return next(
        m
        for m in cim_reviews.monthly_compliance(district, year, today)
        if (m.first_day.year, m.first_day.month) == (day.year, day.month)
    )


# --- Scheduling invites the team --------------------------------------------------------------


def test_scheduling_invites_each_person_on_the_team_once_with_the_ics(
    clock, district, year, people, team
):
    clock.set(PLANNED_ON)
    review = schedule(district, people["lead"], REVIEW_DAY)
    invited = {people[k] for k in ("lead", "colleague", "ta")}
    assert {i.user for i in review.invitations.all()} == invited
    sent = emails(f"invitation:{review.pk}:")
    assert sorted(e.to[0] for e in sent) == sorted(p.email for p in invited)
    for email in sent:
        assert email.subject == f"Invitation: {review.title}"
        assert email.attachment_mimetype == "text/calendar; method=REQUEST"
        [event] = calendar_of(email).walk("VEVENT")
        # The wall time in the district, with its zone named: 3 PM in Denver.
        assert event.decoded("dtstart") == moment(REVIEW_DAY, "15:00", DENVER)
        assert event["dtstart"].params["TZID"] == "America/Denver"
        assert str(event["status"]) == "CONFIRMED"
    assert OutboxEmail.objects.filter(key__startswith="recorded-late").count() == 0
    # Inviting again (a retry) queues nothing new.
    assert services.invite(review, user=people["lead"], people=list(invited)) == []
    assert len(emails(f"invitation:{review.pk}:")) == 3


def test_the_page_names_who_is_invited_and_says_they_were(
    clock, client, district, year, people, team
):
    clock.set(PLANNED_ON)
    client.force_login(people["lead"])
    url = reverse("review_schedule", args=[district.pk])
    page = client.get(url).content.decode()
    assert "Ana Lead, Ben Member, Tia Provider" in page
    response = client.post(
        url,
        {
            "date": REVIEW_DAY.isoformat(),
            "start_time": "15:00",
            "end_time": "16:30",
            "place": "Room 2",
        },
        follow=True,
    )
    assert "is scheduled and the team invited" in response.content.decode()
    review = Meeting.objects.get()
    assert review.recorded_late_at is None
    assert review.local_date == REVIEW_DAY
    assert len(emails(f"invitation:{review.pk}:")) == 3


# --- Cancelling says the truth and tells only those invited ------------------------------------


def test_the_cancel_page_names_the_invited_team_not_the_cpm_contact(
    clock, client, district, year, people, team
):
    clock.set(PLANNED_ON)
    review = schedule(district, people["lead"], REVIEW_DAY)
    client.force_login(people["lead"])
    page = client.get(reverse("meeting_cancel", args=[review.pk])).content.decode()
    assert "goes to the 3 people invited: Ana Lead, Ben Member and Tia Provider." in page
    assert "CPM contact" not in page


def test_cancelling_tells_only_those_invited(clock, district, year, people, team):
    clock.set(PLANNED_ON)
    review = schedule(district, people["lead"], REVIEW_DAY)
    newcomer = member(Role.CIM_MEMBER, district)
    team.members.add(newcomer)  # joined after the invitations went out
    services.cancel_meeting(review, user=people["lead"], reason="The lead is ill")
    cancelled = emails(f"invitation:{review.pk}:")
    cancelled = [e for e in cancelled if e.key.endswith(":cancelled")]
    assert sorted(e.to[0] for e in cancelled) == sorted(
        people[k].email for k in ("lead", "colleague", "ta")
    )
    assert not OutboxEmail.objects.filter(to=[newcomer.email]).exists()
    assert not OutboxEmail.objects.filter(to=[district.cpm_contact_email]).exists()
    email = cancelled[0]
    assert email.subject == f"Cancelled: {review.title}"
    [event] = calendar_of(email).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1


def test_the_cancel_page_of_a_cpm_meeting_still_names_the_cpm_contact(client):
    from ..factories import SchoolFactory
    from ..meeting_helpers import schedule as schedule_cpm

    school = SchoolFactory(name="Valdez Elementary")
    SchoolYearFactory(district=school.district, start_year=YEAR)
    principal = member(Role.PRINCIPAL, school)
    meeting = schedule_cpm(school, principal)
    client.force_login(principal)
    page = client.get(reverse("meeting_cancel", args=[meeting.pk])).content.decode()
    assert "Nobody has been invited yet, so nobody is e-mailed." in page
    assert f"CPM contact ({school.district.cpm_contact_email}) is told." in page


def test_cancelling_a_late_record_emails_nobody_and_the_page_says_so(
    clock, client, district, year, people, team
):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    review = schedule(district, people["lead"], LATE_REVIEW_DAY, confirm_late=True)
    client.force_login(people["lead"])
    page = client.get(reverse("meeting_cancel", args=[review.pk])).content.decode()
    assert "It was recorded late and sent no invitations, so nobody is e-mailed." in page
    services.cancel_meeting(review, user=people["lead"], reason="Entered twice")
    assert emails("invitation:") == []
    month = month_of(district, year, LATE_REVIEW_DAY, LATE_ENTRY_DAY)
    assert (month.state, month.text) == ("gap", "Gap")


def test_a_move_updates_the_invited_but_cannot_fill_an_elapsed_month(
    clock, district, year, people, team
):
    clock.set(PLANNED_ON)
    review = schedule(district, people["lead"], REVIEW_DAY)
    later = moment(on(10, 22), "15:00", DENVER)
    services.update_meeting(
        review, user=people["lead"], starts_at=later, ends_at=later + timedelta(hours=1)
    )
    updates = [e for e in emails(f"invitation:{review.pk}:") if ":1:planned" in e.key]
    assert len(updates) == 3 and updates[0].subject == f"Updated: {review.title}"
    clock.set(moment(on(11, 2), "10:00", DENVER))
    back = moment(on(10, 29), "15:00", DENVER)
    with pytest.raises(ValidationError, match="month already over"):
        services.update_meeting(
            review, user=people["lead"], starts_at=back, ends_at=back + timedelta(hours=1)
        )


# --- Comments tell the lead -------------------------------------------------------------------


def test_a_ta_comment_emails_the_lead_once_and_not_the_author(
    clock, client, district, year, people, team
):
    clock.set(PLANNED_ON)
    plan, _activity, _metric = make_plan(district, year, people["lead"])
    client.force_login(people["ta"])
    response = client.post(
        reverse("comment_add", args=[plan.pk]), {"text": "Co-teaching walkthroughs went well."}
    )
    assert response.status_code == 302
    [email] = emails("cim-comment:")
    assert email.to == [people["lead"].email]
    assert email.subject == f"Tia Provider commented on the Plan for Improvement {year.name}"
    assert "Co-teaching walkthroughs went well." in email.body
    assert f"{plan.get_absolute_url()}#comments" in email.body
    # The lead's own comment tells nobody; the TA provider is never e-mailed for it.
    client.force_login(people["lead"])
    client.post(reverse("comment_add", args=[plan.pk]), {"text": "Thanks."})
    assert len(emails("cim-comment:")) == 1
    assert not OutboxEmail.objects.filter(to=[people["ta"].email]).exists()


def test_a_comment_on_a_review_links_the_review(clock, district, year, people, team):
    clock.set(PLANNED_ON)
    plan, _activity, _metric = make_plan(district, year, people["lead"])
    review = schedule(district, people["lead"], REVIEW_DAY)
    add_comment(plan, user=people["colleague"], text="Bring the IEP data.", review=review)
    [email] = emails("cim-comment:")
    assert email.subject == f"Ben Member commented on the review “{review.title}”"
    assert reverse("review_record", args=[review.pk]) + "#comments" in email.body


def test_a_lead_who_turned_cim_emails_off_gets_no_comment_email(
    clock, district, year, people, team
):
    plan, _activity, _metric = make_plan(district, year, people["lead"])
    NotificationSettings.objects.create(user=people["lead"], muted=[ReminderCategory.CIM])
    add_comment(plan, user=people["ta"], text="A question on outcome 2.")
    assert emails("cim-comment:") == []


# --- A review dated in an earlier month is recorded late --------------------------------------


def late_post(**extra):
    return {
        "date": LATE_REVIEW_DAY.isoformat(),
        "start_time": "15:00",
        "end_time": "16:30",
        "place": "Room 2, the November review",
        **extra,
    }


def test_a_review_in_an_earlier_month_asks_first_and_shows_back_what_was_typed(
    clock, client, district, year, people, team
):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    client.force_login(people["lead"])
    url = reverse("review_schedule", args=[district.pk])
    response = client.post(url, late_post())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This review will be recorded late." in page
    assert f"{LATE_REVIEW_DAY:%B %Y} is over" in page
    assert "Tick the box to record this review late, or change the date." in page
    assert 'name="confirm_late"' in page and 'type="checkbox"' in page
    assert f'value="{LATE_REVIEW_DAY.isoformat()}"' in page
    assert 'value="Room 2, the November review"' in page
    assert not Meeting.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_a_late_record_is_stamped_the_district_told_and_nobody_invited(
    clock, client, district, year, people, team
):
    entered = clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    client.force_login(people["lead"])
    response = client.post(
        reverse("review_schedule", args=[district.pk]), late_post(confirm_late="on"), follow=True
    )
    assert "is recorded late: record its minutes and who attended" in response.content.decode()
    review = Meeting.objects.get()
    assert (review.recorded_late_at, review.recorded_late_by) == (entered, people["lead"])
    # The team is listed for attendance, but no calendar entry goes out for a past meeting.
    assert review.invitations.count() == 3
    assert emails("invitation:") == []
    [told] = emails(f"recorded-late:{review.pk}:")
    assert told.to == [people["staff"].email]
    stamp = f"recorded late ({LATE_ENTRY_DAY:%-d %b %Y}, by Ana Lead)"
    assert stamp in told.body
    # The review's own page says so too.
    assert f"This review is {stamp}; minutes and attendance not yet recorded" in (
        response.content.decode()
    )
    assert told.subject == f"Recorded late: {review.title} (Riverbend USD)"
    # Until its minutes and attendance are recorded, the month is still a gap, and says why.
    month = month_of(district, year, LATE_REVIEW_DAY, LATE_ENTRY_DAY)
    assert month.state == "gap"
    assert month.text == f"Gap: {stamp}; minutes and attendance not yet recorded"


def test_a_late_record_is_held_only_with_its_attendance_and_then_shows_as_late(
    clock, client, district, year, people, team
):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    review = schedule(district, people["lead"], LATE_REVIEW_DAY, confirm_late=True)
    with pytest.raises(ValidationError, match="tick who attended"):
        recording.record_minutes(
            review, user=people["lead"], text="Reviewed both strategies.", mark_held=True
        )
    review.refresh_from_db()
    assert review.status == MeetingStatus.PLANNED
    recording.record_minutes(
        review,
        user=people["lead"],
        text="Reviewed both strategies.",
        attended=[people["lead"], people["colleague"]],
        mark_held=True,
    )
    review.refresh_from_db()
    assert review.is_held
    label = f"{LATE_REVIEW_DAY:%b %Y}"
    stamp = f"held, recorded late ({LATE_ENTRY_DAY:%-d %b %Y}, by Ana Lead)"
    shown = "H" + stamp[1:]  # as the month strip starts it

    # The CIM page's strip: a month of its own kind, never plain "Held".
    month = month_of(district, year, LATE_REVIEW_DAY, LATE_ENTRY_DAY)
    assert (month.state, month.text, month.is_gap) == ("late", shown, False)
    client.force_login(people["lead"])
    page = client.get(reverse("cim_home", args=[district.pk])).content.decode()
    assert "month month-late" in page
    assert shown in page

    # The district's dashboard: flagged, in the strip's words, not counted as held on time.
    staff = people["staff"]
    client.force_login(staff)
    response = client.get(reverse("compliance", args=[district.pk]))
    cell = response.context["district_cells"]["reviews"]
    assert cell.state in compliance.GAP_STATES
    assert f"{label}: {stamp}" in cell.text
    assert cell.text.startswith("0 of ")
    assert f"{label}: {stamp}" in response.content.decode()

    # The district staff's home card says it too.
    [card] = cards_for(staff, LATE_ENTRY_DAY)
    assert f"CIM review {label}: {stamp}." in [item.title for item in card.items]


def test_a_review_held_on_time_in_the_month_wins_over_a_late_record(
    clock, district, year, people, team
):
    clock.set(moment(on(11, 3), "10:00", DENVER))
    on_time = schedule(district, people["lead"], on(11, 5))
    clock.set(moment(on(11, 6), "10:00", DENVER))
    recording.record_minutes(on_time, user=people["lead"], text="Held.", mark_held=True)
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    late = schedule(district, people["lead"], LATE_REVIEW_DAY, confirm_late=True)
    recording.record_minutes(
        late, user=people["lead"], text="Held.", attended=[people["lead"]], mark_held=True
    )
    assert month_of(district, year, LATE_REVIEW_DAY, LATE_ENTRY_DAY).state == "held"


def test_a_review_earlier_this_month_is_not_late(clock, district, year, people, team):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    review = schedule(district, people["lead"], on(12, 1))
    assert review.recorded_late_at is None
    assert len(emails(f"invitation:{review.pk}:")) == 3
    assert emails("recorded-late:") == []


def test_the_month_is_the_districts_not_the_servers(clock, district, year, people, team):
    # 00:30 on 1 Dec in Denver is already December there (07:30 UTC); 23:30 on 30 Nov is not.
    clock.set(moment(on(12, 1), "00:30", DENVER))
    with pytest.raises(ValidationError):
        schedule(district, people["lead"], on(11, 30), at="23:00")
    clock.set(moment(on(11, 30), "23:30", DENVER))
    review = schedule(district, people["lead"], on(11, 30), at="23:35")
    assert review.recorded_late_at is None


def test_the_service_refuses_a_late_record_without_confirmation(
    clock, district, year, people, team
):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    with pytest.raises(services.NeedsConfirmation):
        schedule(district, people["lead"], LATE_REVIEW_DAY)
    assert not Meeting.objects.exists()


# --- Permissions are unchanged ----------------------------------------------------------------


def test_a_ta_provider_cannot_schedule_and_another_districts_lead_gets_404(
    clock, client, district, year, people, team
):
    clock.set(moment(LATE_ENTRY_DAY, "10:00", DENVER))
    url = reverse("review_schedule", args=[district.pk])
    client.force_login(people["ta"])
    assert client.post(url, late_post(confirm_late="on")).status_code == 403
    elsewhere = DistrictFactory()
    client.force_login(member(Role.CIM_LEAD, elsewhere))
    assert client.post(url, late_post(confirm_late="on")).status_code == 404
    assert client.get(url).status_code == 404
    assert not Meeting.objects.exists()
    assert not OutboxEmail.objects.exists()
