"""One deadline model that every app feeds (DOMAIN: Reminders).

A *rule* looks at the data on a day and yields Deadlines: who must act, on what, by when, where
(a link), and which *occasion* of its reminders is current (e.g. "14 days before"). The same
rules feed the e-mail reminders (schoolplan.reminders.sweep) and each person's "what needs my
attention" list on the home page, so the two can never disagree: it is the one mechanism for
both (the home page's cards only say where each place stands).

Rules are registered by the apps (meetings, plans, progress, …): the core imports none of them.
Each rule runs a fixed number of queries whatever the number of schools (it reads in bulk);
`scope` narrows it to some districts and schools (one person's home page) or None (the sweep).

Occasions and catching up: a rule yields every open deadline (the home page lists them all), with
the latest occasion already reached, if it was reached within the horizon (default 7 days), else
None. The sweep e-mails only deadlines with a current occasion: after downtime it sends the one
reminder that matters now, not every one it missed.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings

RULES = []


@dataclass(frozen=True)
class Scope:
    district_ids: frozenset = frozenset()
    school_ids: frozenset = frozenset()


@dataclass
class Deadline:
    rule: str
    category: str
    subject: str  # "school:12", "meeting:40", … the object it is about
    occasion: str | None  # the reminder that is current ("14-days", "overdue" …); None: none now
    title: str
    due_on: object  # a date
    link: str
    recipients: list = field(default_factory=list)  # user ids, reminded by e-mail
    level: str = "info"  # info / warning / danger, for the in-app list
    # People who see it on their home page without being e-mailed (a principal is reminded;
    # the school's staff see it too).
    watchers: list = field(default_factory=list)
    watcher_link: str = ""  # where watchers go, when the recipients' link is not theirs
    chart: str = ""  # an SVG figure the home page shows under the title (already escaped)


HOME_ONLY = set()  # rules that never send e-mail: the sweep does not run them


def rule(function=None, *, home_only=False):
    """Register a rule: function(today, scope, horizon) -> iterable of Deadline. A home_only
    rule only feeds the home page (its deadlines have no occasion)."""

    def register(function):
        RULES.append(function)
        if home_only:
            HOME_ONLY.add(function)
        return function

    return register(function) if function is not None else register


def horizon():
    return timedelta(days=getattr(settings, "REMINDER_CATCH_UP_DAYS", 7))


def current_occasion(deadline_day, today, days_before, reach=None):
    """The latest "n days before" occasion reached by today, if reached within the horizon.

    days_before: e.g. (30, 14, 3). Returns n, or None when none is current."""
    reach = horizon() if reach is None else reach
    reached = [n for n in sorted(days_before) if deadline_day - timedelta(days=n) <= today]
    if not reached or today > deadline_day:
        return None
    n = reached[0]  # the nearest threshold already passed
    if today - (deadline_day - timedelta(days=n)) > reach:
        return None
    return n


def collect(today, scope=None, *, emails=False):
    """Every deadline of the day, from every rule (scope None: everyone's); emails: only from
    the rules that may send e-mail."""
    found = []
    reach = horizon()
    for function in RULES:
        if emails and function in HOME_ONLY:
            continue
        found.extend(function(today, scope, reach))
    return found


# The sweep reads this many districts at a time (issue 24: a state's 1,000 districts): its
# memory and each batch's transaction stay bounded, its queries are fixed per batch.
SWEEP_BATCH_DISTRICTS = 50


def sweep_batches():
    """The sweep's batches of district ids, in one query: [None] (everyone at once) while all
    districts fit in one batch, else lists of SWEEP_BATCH_DISTRICTS ids."""
    from .models import District

    ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
    if len(ids) <= SWEEP_BATCH_DISTRICTS:
        return [None]
    size = SWEEP_BATCH_DISTRICTS
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def local_days(scope=None, district_ids=None):
    """[(zone name, today there, the Scope of the districts there)]: each district's rules run
    on its own calendar (DOMAIN.md, Time). scope None: every district, read in one query; while
    they all share one zone its Scope stays None, so the rules read as they would for one day.
    Otherwise one part per zone: the query count grows with the zones, never with the schools.
    A person's scope (schoolplan.permissions.Scope) is split by its districts' zones.
    district_ids (with scope None): only those districts (one of the sweep's batches)."""
    from . import clock

    parts = {}
    if scope is None:
        from .models import District

        districts = District.objects.values_list("pk", "time_zone")
        if district_ids is not None:
            districts = districts.filter(pk__in=district_ids)
        for district_id, zone in districts:
            parts.setdefault(zone, (set(), set()))[0].add(district_id)
        if len(parts) == 1 and district_ids is None:
            return [(zone, clock.today(zone), None) for zone in parts]
    else:
        zones = scope.district_zones
        for district_id in scope.district_roles:
            parts.setdefault(zones.get(district_id), (set(), set()))[0].add(district_id)
        for school_id in scope.school_roles:
            zone = zones.get(scope.school_districts.get(school_id))
            parts.setdefault(zone, (set(), set()))[1].add(school_id)
    return [
        (zone, clock.today(zone), Scope(frozenset(districts), frozenset(schools)))
        for zone, (districts, schools) in sorted(parts.items(), key=lambda part: str(part[0]))
    ]


def collect_local(scope=None, *, emails=False, district_ids=None):
    """Every deadline as of each district's own today, its dates and times read in its zone
    (the sweep: scope None, or one batch of district_ids; a person's home page: their scope,
    see local_days)."""
    from . import clock

    found = []
    for zone, today, part in local_days(scope, district_ids):
        with clock.zone(zone):
            found.extend(collect(today, part, emails=emails))
    return found


def for_user(user, today=None):
    """The deadlines that name user, for the home page: as of each of their districts' today
    (or of the given day)."""
    from .permissions import scope_for

    held = scope_for(user)
    if not held.district_roles and not held.school_roles:
        return []
    if today is None:
        found = collect_local(held)
    else:
        found = collect(today, Scope(frozenset(held.district_roles), frozenset(held.school_roles)))
    mine = [
        d if user.pk in d.recipients else replace(d, link=d.watcher_link or d.link)
        for d in found
        if user.pk in d.recipients or user.pk in d.watchers
    ]
    return sorted(mine, key=lambda d: (d.due_on, d.title))


def in_scope(queryset, scope, *, district, school=None):
    """queryset narrowed to the scope's districts (and schools, by the given paths)."""
    from django.db.models import Q

    if scope is None:
        return queryset
    condition = Q(**{f"{district}__in": scope.district_ids})
    if school:
        condition |= Q(**{f"{school}__in": scope.school_ids})
    return queryset.filter(condition)


def people_by(scope_field, roles, ids):
    """{district or school id: [user ids]} of the active people holding roles there (1 query)."""
    from .models import Membership

    found = {}
    rows = Membership.objects.filter(
        **{f"{scope_field}__in": ids}, role__in=roles, user__is_active=True
    ).values_list(f"{scope_field}_id", "user_id")
    for place, user_id in rows:
        found.setdefault(place, []).append(user_id)
    return found


def current_years(today, scope=None):
    """{district id: its school year containing today} (1 query)."""
    from .models import SchoolYear

    years = SchoolYear.objects.containing(today)
    if scope is not None:
        from django.db.models import Q

        years = years.filter(
            Q(district__in=scope.district_ids) | Q(district__schools__in=scope.school_ids)
        ).distinct()
    return {year.district_id: year for year in years}
