"""What needs a user's attention now: the home page reads it, per role, from the school years."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.dateformat import format as format_date

from . import between_years, clock
from .models import District, EssaDesignation, Role, School, SchoolYear
from .permissions import scope_for

# How far ahead the home page looks for a window about to open or a deadline about to fall.
LOOKAHEAD_DAYS = 30
ESSA_LOOKAHEAD_DAYS = 60


@dataclass
class Item:
    text: str
    level: str = "info"  # info / warning / danger, as Bootstrap names them
    url: str = ""
    window_key: str = ""  # the school-year window this item speaks of, if any


# Apps above the core add items to the cards through these hooks, so the core never imports
# them (apps depend downward). A hook: (school or district, year, roles, today) -> [Item].
SCHOOL_CARD_HOOKS = []
DISTRICT_CARD_HOOKS = []


def register_school_card_hook(hook):
    SCHOOL_CARD_HOOKS.append(hook)
    return hook


def register_district_card_hook(hook):
    DISTRICT_CARD_HOOKS.append(hook)
    return hook


@dataclass
class Card:
    title: str
    subtitle: str
    url: str = ""
    roles: list = field(default_factory=list)
    items: list = field(default_factory=list)
    year: SchoolYear | None = None


def _window_items(year, today):
    items = []
    for window in year.windows:
        status = window.status(today)
        days = window.days_left(today)
        if status == "open":
            level = "warning" if days <= 14 else "info"
            left = "closes today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"
            closes = format_date(window.closes, "j M Y")
            text = f"The {window.label} window is open until {closes} ({left})."
            items.append(Item(text, level, window_key=window.key))
        elif status == "upcoming" and (window.opens - today).days <= LOOKAHEAD_DAYS:
            text = f"The {window.label} window opens soon: {window.dates}."
            items.append(Item(text, "info", window_key=window.key))
    return items


def _between_years_item(outlook, link=False):
    """Between two years, what comes next (schoolplan/between_years.py); None inside a year."""
    if outlook is None or not outlook.between_years:
        return None
    missing = outlook.state == "not_set_up" or outlook.start_from is not None
    return Item(outlook.text, "warning" if missing else "info", outlook.start_url if link else "")


def school_card(school, roles, year, today, outlook=None):
    from .permissions import VIEW_SCHOOL

    card = Card(
        title=school.name,
        subtitle=f"{school.get_level_display()} school · {school.district.name}",
        # A cadre member's account reaches the cadre's pages, not the school's (a hook links them).
        url=school.get_absolute_url() if roles & VIEW_SCHOOL.school_roles else "",
        roles=sorted(Role(r).label for r in roles),
        year=year,
    )
    coming = _between_years_item(outlook)
    if year is None:
        if coming is None or outlook.previous is None:
            coming = Item(
                f"{school.district} has not set up the school year containing {today:%-d %b %Y} "
                "yet; windows and deadlines appear once it does.",
                "warning",
            )
        card.items.append(coming)
        return card
    if coming is not None:
        card.items.append(coming)
    added = [item for hook in SCHOOL_CARD_HOOKS for item in hook(school, year, roles, today)]
    covered = {item.window_key for item in added}
    card.items.extend(item for item in _window_items(year, today) if item.window_key not in covered)
    card.items.extend(added)
    # seed 002: Targeted-support schools must submit their ESSA action plan by May 15.
    if school.essa_designation == EssaDesignation.TARGETED and Role.PRINCIPAL in roles:
        days = (year.essa_plan_due - today).days
        if 0 <= days <= ESSA_LOOKAHEAD_DAYS:
            card.items.append(
                Item(
                    f"The ESSA action plan is due {year.essa_plan_due:%-d %b %Y} ({days} days).",
                    "warning" if days <= 14 else "info",
                )
            )
    if Role.CADRE_MEMBER in roles:
        card.items.append(
            Item(
                "Your school's family pages: what families see.",
                "info",
                reverse("family_school", args=[school.public_slug]),
            )
        )
    return card


def district_card(district, roles, year, today, school_count, outlook=None):
    card = Card(
        title=district.name,
        subtitle=f"{district.get_cim_status_display()} · {school_count} schools",
        url=district.get_absolute_url(),
        roles=sorted(Role(r).label for r in roles),
        year=year,
    )
    manages = Role.DISTRICT_STAFF in roles
    # Between two years, what comes next; with no year before either, how to set one up.
    coming = _between_years_item(outlook, link=manages)
    if year is None and (coming is None or outlook.previous is None):
        coming = None
        if manages:
            start = SchoolYear.start_year_containing(today)
            text = (
                f"No school year {start}-{(start + 1) % 100:02d} is set up: schools see no windows."
            )
            url = reverse("school_year_create", args=[district.pk])
            card.items.append(Item(text, "danger", url))
    if coming is not None:
        card.items.append(coming)
    if not manages:
        card.year = None  # the windows are the schools' business; their cards show them
    elif year is not None:
        card.items.extend(_window_items(year, today))
    if year is not None:
        for hook in DISTRICT_CARD_HOOKS:
            card.items.extend(hook(district, year, roles, today))
    if manages and not district.cpm_contact_email:
        card.items.append(
            Item(
                "No CPM contact e-mail: notices of schools' CPM meetings have nowhere to go.",
                "warning",
                reverse("district_edit", args=[district.pk]),
            )
        )
    if (
        roles & {Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER}
        and district.progress_reports_per_year
    ):
        per_year = {4: "quarterly", 2: "semi-annually"}[district.progress_reports_per_year]
        card.items.append(
            Item(f"CIM progress reports are due {per_year} ({district.get_cim_status_display()}).")
        )
    return card


def cards_for(user, today=None):
    """One card per district and per school the user holds a role in, each as of its
    district's today (DOMAIN.md, Time), or of the given day."""
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
    return cards
