"""What the CPM year adds to a school's card on the home page."""

from django.urls import reverse

from schoolplan.attention import LOOKAHEAD_DAYS, Item
from schoolplan.models import Role

from .cim import monthly_compliance
from .cpm import cpm_year

LEVELS = {"due": "warning", "missed": "danger", "awaiting_minutes": "warning", "scheduled": "info"}


def cpm_items(school, year, roles, today):
    if not roles & {Role.PRINCIPAL, Role.SCHOOL_STAFF}:
        return []
    items = []
    schedules = Role.PRINCIPAL in roles
    for requirement in cpm_year(school, year, today).requirements:
        window = requirement.window
        key = window.key if window is not None else ""
        if requirement.state == "met":
            # Say so, so the generic "window is open" line does not nag about a done job.
            items.append(
                Item(f"{requirement.label}: {requirement.message}", "success", window_key=key)
            )
            continue
        if requirement.state == "upcoming" and (window.opens - today).days > LOOKAHEAD_DAYS:
            continue
        url = ""
        if requirement.meetings:
            url = requirement.meetings[0].get_absolute_url()
        elif schedules and key in ("kick_off", "check_in", "wrap_up"):
            url = reverse("schedule_cpm", args=[school.pk]) + f"?stage={key}"
        items.append(
            Item(
                f"{requirement.label}: {requirement.message}",
                LEVELS.get(requirement.state, "info"),
                url,
                window_key=key,
            )
        )
    return items


def cim_items(district, year, roles, today):
    """seed 001: the CIM team meets at least monthly; say where this month and the year stand.
    District staff see the months recorded late (DOMAIN.md, "Recorded, not scheduled")."""
    team = roles & {Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER}
    if not team and Role.DISTRICT_STAFF not in roles:
        return []
    months = monthly_compliance(district, year, today)
    url = reverse("cim_home", args=[district.pk])
    items = []
    this_month = (today.year, today.month)
    # A year other than today's (the one just ended, shown until the next starts) has none.
    current = next((m for m in months if (m.first_day.year, m.first_day.month) == this_month), None)
    if team and current is not None and current.state == "open":
        items.append(Item(f"No CIM review held yet in {current.label}.", "warning", url))
    elif team and current is not None and current.state == "held":
        items.append(Item(f"{current.label}: CIM review held.", "success", url))
    gaps = [m.label for m in months if m.is_gap]
    if team and gaps:
        items.append(Item(f"Months with no held CIM review: {', '.join(gaps)}.", "danger", url))
    for month in months:
        if month.state in ("late", "gap") and month.late_records:
            items.append(Item(f"CIM review {month.label}: {month.phrase}.", "warning", url))
    return items
