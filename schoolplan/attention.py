"""The home page: what needs a person's attention, and where each of their places stands.

What needs attention comes from one mechanism, the deadline model (schoolplan.deadlines): the
rules the apps register feed the reminder e-mails and this page alike. A deadline about a place
the person holds a role in (subject "school:12" or "district:3") shows on that place's card; the
others (an action item, tomorrow's meeting) head the page. The cards add what is not a deadline:
the school year and its windows, the place's links, and between two years what comes next.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from . import between_years, clock
from .deadlines import Deadline, for_user, in_scope, people_by, rule
from .models import District, ReminderCategory, Role, School, SchoolYear
from .permissions import scope_for

# How far ahead a window about to open is worth a line (the rules read it).
LOOKAHEAD_DAYS = 30

# Apps above the core add links to a place's card through this hook, so the core names none of
# their pages: hook(school or district, roles) -> [(text, url)].
CARD_LINK_HOOKS = []


def register_card_links(hook):
    CARD_LINK_HOOKS.append(hook)
    return hook


@dataclass
class Note:
    """Where a place stands that nobody has to act on (the year is not set up yet…)."""

    text: str
    level: str = "info"
    url: str = ""


@dataclass
class Card:
    title: str
    subtitle: str
    subject: str  # "school:12" / "district:3": the deadlines about it go on this card
    url: str = ""
    roles: list = field(default_factory=list)
    items: list = field(default_factory=list)  # Deadlines
    notes: list = field(default_factory=list)
    links: list = field(default_factory=list)
    year: SchoolYear | None = None
    today: object = None  # the place's today: its windows strip reads it


def _between_years_note(outlook, link=False):
    """Between two years, what comes next (schoolplan/between_years.py); None inside a year."""
    if outlook is None or not outlook.between_years:
        return None
    missing = outlook.state == "not_set_up" or outlook.start_from is not None
    return Note(outlook.text, "warning" if missing else "info", outlook.start_url if link else "")


def _links(place, roles):
    return [link for hook in CARD_LINK_HOOKS for link in hook(place, roles)]


def school_card(school, roles, year, today, outlook=None):
    from .permissions import VIEW_SCHOOL

    card = Card(
        title=school.name,
        subtitle=f"{school.get_level_display()} school · {school.district.name}",
        subject=f"school:{school.pk}",
        # A cadre member's account reaches the cadre's pages, not the school's (a link hook
        # gives them theirs).
        url=school.get_absolute_url() if roles & VIEW_SCHOOL.school_roles else "",
        roles=sorted(Role(r).label for r in roles),
        year=year,
        today=today,
        links=_links(school, roles),
    )
    coming = _between_years_note(outlook)
    if year is None and (coming is None or outlook.previous is None):
        coming = Note(
            f"{school.district} has not set up the school year containing {today:%-d %b %Y} "
            "yet; windows and deadlines appear once it does.",
            "warning",
        )
    if coming is not None:
        card.notes.append(coming)
    return card


def district_card(district, roles, year, today, school_count, outlook=None):
    manages = Role.DISTRICT_STAFF in roles
    card = Card(
        title=district.name,
        subtitle=f"{district.get_cim_status_display()} · {school_count} schools",
        subject=f"district:{district.pk}",
        url=district.get_absolute_url(),
        roles=sorted(Role(r).label for r in roles),
        # The windows are the schools' business; their cards show them.
        year=year if manages else None,
        today=today,
        links=_links(district, roles),
    )
    coming = _between_years_note(outlook, link=manages)
    if coming is not None and not (year is None and outlook.previous is None):
        card.notes.append(coming)
    return card


def cards_for(user, today=None, deadlines=None):
    """One card per district and per school the user holds a role in, each as of its
    district's today (DOMAIN.md, Time), or of the given day, holding the user's deadlines about
    it (read here unless given)."""
    scope = scope_for(user)
    schools = School.objects.filter(pk__in=scope.school_roles).select_related("district")
    districts = District.objects.filter(pk__in=scope.district_roles)
    todays = {d.pk: today or clock.today(d) for d in [*districts, *(s.district for s in schools)]}
    outlooks = between_years.outlooks(todays)
    years = {district_id: o.current for district_id, o in outlooks.items() if o.current}
    counts = {}
    for district_id in School.objects.filter(district__in=districts).values_list(
        "district_id", flat=True
    ):
        counts[district_id] = counts.get(district_id, 0) + 1
    # A principal's own school comes before the district work they also do.
    cards = [
        school_card(
            s,
            scope.school_roles[s.pk],
            years.get(s.district_id),
            todays[s.district_id],
            outlooks[s.district_id],
        )
        for s in schools
    ]
    cards += [
        district_card(
            d,
            scope.district_roles[d.pk],
            years.get(d.pk),
            todays[d.pk],
            counts.get(d.pk, 0),
            outlooks[d.pk],
        )
        for d in districts
    ]
    place(cards, for_user(user, today) if deadlines is None else deadlines)
    return cards


def place(cards, deadlines):
    """Put each deadline on the card of the place it is about; return the others."""
    by_subject = {card.subject: card for card in cards}
    loose = []
    for deadline in deadlines:
        card = by_subject.get(deadline.subject)
        (card.items if card is not None else loose).append(deadline)
    return loose


def home(user):
    """What the home page shows: (deadlines about no card, the cards)."""
    found = for_user(user)
    cards = cards_for(user, deadlines=[])
    return place(cards, found), cards


# --- The core's own rules: shown on the home page, never e-mailed ----------------------------


@rule(home_only=True)
def no_school_year(today, scope, reach):
    """District staff of a district with no school year at all (none before either) set one up:
    until then its schools see no windows. (Between two years, schoolplan.between_years.)"""
    start = SchoolYear.start_year_containing(today)
    districts = list(
        in_scope(District.objects.all(), scope, district="pk")
        .exclude(school_years__start_year__in=(start - 1, start))
        .values_list("pk", flat=True)
    )
    staff = people_by("district", [Role.DISTRICT_STAFF], districts)
    for district_id in districts:
        yield Deadline(
            rule="no-school-year",
            category=ReminderCategory.SCHOOL_YEAR,
            subject=f"district:{district_id}",
            occasion=None,
            title=f"No school year {start}-{(start + 1) % 100:02d} is set up: schools see no "
            "windows.",
            due_on=today,
            link=reverse("school_year_create", args=[district_id]),
            recipients=staff.get(district_id, []),
            level="danger",
        )


@rule(home_only=True)
def no_cpm_contact(today, scope, reach):
    """seed 000: notices of schools' CPM meetings go to the district's CPM contact."""
    districts = list(
        in_scope(District.objects.filter(cpm_contact_email=""), scope, district="pk").values_list(
            "pk", flat=True
        )
    )
    staff = people_by("district", [Role.DISTRICT_STAFF], districts)
    for district_id in districts:
        yield Deadline(
            rule="cpm-contact",
            category=ReminderCategory.CPM,
            subject=f"district:{district_id}",
            occasion=None,
            title="No CPM contact e-mail: notices of schools' CPM meetings have nowhere to go.",
            due_on=today,
            link=reverse("district_edit", args=[district_id]),
            recipients=staff.get(district_id, []),
            level="warning",
        )
