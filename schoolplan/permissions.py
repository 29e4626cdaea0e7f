"""The one permission layer: who may see or change what.

An *ability* names the roles that grant it at district scope and at school scope. Every
queryset filter (`restrict`) and every object check (`can`) is computed from the same table
and the same per-request `Scope`, so a list and a detail page can never disagree. Views fetch
objects through `get_visible_or_404`: an object outside the user's scope is a 404, never a
hint that it exists.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from . import cim_levels, clock
from .models import DISTRICT_ROLES, INTENSIVE_STATUSES, Membership, Role


@dataclass(frozen=True)
class Ability:
    name: str
    district_roles: frozenset = frozenset()
    school_roles: frozenset = frozenset()
    # Also granted to people named on the object's team (a model's permission_scope["team"]),
    # while they hold one of these roles at the object's school.
    team_roles: frozenset = frozenset()


VIEW_DISTRICT = Ability(
    "view_district",
    district_roles=frozenset(
        {Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER}
    ),
)
MANAGE_DISTRICT = Ability("manage_district", district_roles=frozenset({Role.DISTRICT_STAFF}))
# The district's work beyond the CIM (workshops and their rosters, the compliance dashboard, SPF
# results): its staff and CIM team. Not a TA provider, who sees the CIM plan and reviews only.
VIEW_DISTRICT_WORK = Ability(
    "view_district_work",
    district_roles=frozenset({Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER}),
)
VIEW_SCHOOL = Ability(
    "view_school",
    district_roles=frozenset({Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER}),
    school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF}),
)
MANAGE_SCHOOL = Ability(
    "manage_school",
    district_roles=frozenset({Role.DISTRICT_STAFF}),
    school_roles=frozenset({Role.PRINCIPAL}),
)
# The host school's staff keep the record of its meetings: minutes, attendance, action items.
KEEP_SCHOOL_RECORDS = Ability(
    "keep_school_records",
    district_roles=frozenset({Role.DISTRICT_STAFF}),
    school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF}),
)
# seed 003: pupil-level notes are student records. Only the class's own team (teacher and
# co-leaders, while still on the school's staff) and the school's leaders (its principal) see or
# write them; never another class's teacher, district staff, families, cadre or TA providers.
CLASS_TEAM = Ability(
    "class_team",
    school_roles=frozenset({Role.PRINCIPAL}),
    team_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF}),
)
# seed 001: the CIM team keeps the Plan for Improvement and logs its reviews; its lead schedules
# them. A TA provider (Intensive districts only) reads the plan and reviews and may comment.
EDIT_CIM_PLAN = Ability("edit_cim_plan", district_roles=frozenset({Role.CIM_LEAD, Role.CIM_MEMBER}))
LEAD_CIM = Ability("lead_cim", district_roles=frozenset({Role.CIM_LEAD}))
COMMENT_CIM = Ability(
    "comment_cim",
    district_roles=frozenset(
        {Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER, Role.DISTRICT_STAFF}
    ),
)
# seed 002: the school's plans (ESSA action plan, School Blueprint) are written by its staff;
# only the principal submits or publishes them, and only district staff accept or return them.
EDIT_SCHOOL_PLAN = Ability(
    "edit_school_plan", school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF})
)
SUBMIT_SCHOOL_PLAN = Ability("submit_school_plan", school_roles=frozenset({Role.PRINCIPAL}))
REVIEW_SCHOOL_PLAN = Ability("review_school_plan", district_roles=frozenset({Role.DISTRICT_STAFF}))
# seed 004: cadre members (parents, community members, students) see and contribute to the
# family-engagement work and the cadre's meetings, and to nothing else of the school.
VIEW_CADRE = Ability(
    "view_cadre",
    district_roles=frozenset({Role.DISTRICT_STAFF}),
    school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER}),
)
CONTRIBUTE_CADRE = Ability(
    "contribute_cadre",
    school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER}),
)
# issue 22: the names and contacts families leave when they answer a meeting are for the school's
# own staff, who call them back; district staff see the counts only.
SEE_FAMILY_CONTACTS = Ability(
    "see_family_contacts", school_roles=frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF})
)
ABILITIES = {
    a.name: a
    for a in (
        VIEW_DISTRICT,
        MANAGE_DISTRICT,
        VIEW_DISTRICT_WORK,
        VIEW_SCHOOL,
        MANAGE_SCHOOL,
        KEEP_SCHOOL_RECORDS,
        CLASS_TEAM,
        EDIT_CIM_PLAN,
        LEAD_CIM,
        COMMENT_CIM,
        EDIT_SCHOOL_PLAN,
        SUBMIT_SCHOOL_PLAN,
        REVIEW_SCHOOL_PLAN,
        VIEW_CADRE,
        CONTRIBUTE_CADRE,
        SEE_FAMILY_CONTACTS,
    )
}


@dataclass(frozen=True)
class Scope:
    """What one user holds: roles per district and per school. Built once per request."""

    is_superuser: bool = False
    district_roles: dict = field(default_factory=dict)  # district id -> frozenset of roles
    school_roles: dict = field(default_factory=dict)  # school id -> frozenset of roles
    school_districts: dict = field(default_factory=dict)  # school id -> district id
    district_zones: dict = field(default_factory=dict)  # district id -> its time zone name

    def district_ids(self, ability):
        return {d for d, roles in self.district_roles.items() if roles & ability.district_roles}

    def school_ids(self, ability):
        return {s for s, roles in self.school_roles.items() if roles & ability.school_roles}

    def team_school_ids(self, ability):
        return {s for s, roles in self.school_roles.items() if roles & ability.team_roles}

    def allows(self, ability, district_id, school_id=None):
        if self.is_superuser:
            return True
        if district_id in self.district_ids(ability):
            return True
        return school_id is not None and school_id in self.school_ids(ability)

    @property
    def roles(self):
        held = set()
        for roles in (*self.district_roles.values(), *self.school_roles.values()):
            held |= roles
        return held

    @property
    def time_zone(self):
        """The zone the user's pages are shown in: their district's (DOMAIN.md, Time). Someone
        in several districts sees an object's page in the object's district zone (see
        get_visible_or_404); elsewhere their first district's."""
        zones = [self.district_zones[d] for d in sorted(self.district_zones)]
        return zones[0] if zones else None

    @property
    def spans_zones(self):
        return self.is_superuser or len(set(self.district_zones.values())) > 1


EMPTY_SCOPE = Scope()


def scope_for(user):
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_schoolplan_scope", None)
    if cached is not None:
        return cached
    district_roles, school_roles, school_districts, zones = {}, {}, {}, {}
    rows = Membership.objects.filter(user=user).values_list(
        "role",
        "district_id",
        "district__time_zone",
        "school_id",
        "school__district_id",
        "school__district__time_zone",
    )
    rows = list(rows)
    # seed 001: a TA provider supports Intensive LEAs only; access ends with that status.
    supported = {row[1]: row[2] for row in rows if row[0] == Role.TA_PROVIDER}
    statuses = cim_levels.statuses_today(supported) if supported else {}
    for role, district_id, zone, school_id, school_district_id, school_zone in rows:
        if district_id is not None:
            zones[district_id] = zone
        if school_district_id is not None:
            zones[school_district_id] = school_zone
        if role in DISTRICT_ROLES:
            if role == Role.TA_PROVIDER and statuses[district_id] not in INTENSIVE_STATUSES:
                continue
            district_roles.setdefault(district_id, set()).add(role)
        else:
            school_roles.setdefault(school_id, set()).add(role)
            school_districts[school_id] = school_district_id
    scope = Scope(
        is_superuser=user.is_superuser,
        district_roles={k: frozenset(v) for k, v in district_roles.items()},
        school_roles={k: frozenset(v) for k, v in school_roles.items()},
        school_districts=school_districts,
        district_zones=zones,
    )
    user._schoolplan_scope = scope
    return scope


def time_zones_of(user_ids):
    """{user id: their zone} for many people in one query, by Scope.time_zone's rule (their
    first district's): the zone their e-mails are sent in. People without a district: absent."""
    found = {}
    rows = Membership.objects.filter(user_id__in=user_ids).values_list(
        "user_id",
        "district_id",
        "district__time_zone",
        "school__district_id",
        "school__district__time_zone",
    )
    for user_id, district_id, zone, school_district_id, school_zone in rows:
        zones = found.setdefault(user_id, {})
        if district_id is not None:
            zones[district_id] = zone
        if school_district_id is not None:
            zones[school_district_id] = school_zone
    return {user_id: zones[min(zones)] for user_id, zones in found.items() if zones}


def _scope_fields(model):
    try:
        return model.permission_scope
    except AttributeError:  # pragma: no cover - a programming error, loudly
        raise TypeError(f"{model.__name__} declares no permission_scope") from None


def restrict(queryset, user, ability):
    """The rows of queryset that user holds ability on."""
    scope = scope_for(user)
    if scope.is_superuser:
        return queryset
    fields = _scope_fields(queryset.model)
    condition = Q(**{f"{fields['district']}__in": scope.district_ids(ability)})
    if "school" in fields:
        condition |= Q(**{f"{fields['school']}__in": scope.school_ids(ability)})
    if ability.team_roles and "team" in fields and user is not None and user.is_authenticated:
        named = Q()
        for path in fields["team"]:
            named |= Q(**{path: user})
        condition |= Q(**{f"{fields['school']}__in": scope.team_school_ids(ability)}) & named
        # A many-to-many team path can match one row more than once.
        return queryset.filter(condition).distinct()
    return queryset.filter(condition)


def _resolve(obj, path):
    value = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def can(user, ability, obj):
    """Whether user holds ability on obj (any model with a permission_scope)."""
    if isinstance(ability, str):
        ability = ABILITIES[ability]
    fields = _scope_fields(type(obj))
    district_id = _resolve(obj, fields["district"])
    school_id = _resolve(obj, fields["school"]) if "school" in fields else None
    scope = scope_for(user)
    if scope.allows(ability, district_id, school_id):
        return True
    if ability.team_roles and "team" in fields and school_id in scope.team_school_ids(ability):
        return any(_names(_resolve(obj, path), user) for path in fields["team"])
    return False


def _names(value, user):
    """Whether a team field (a user, or a many-to-many of users) names user."""
    if hasattr(value, "filter"):
        return value.filter(pk=user.pk).exists()
    return value is not None and value.pk == user.pk


def get_visible_or_404(queryset, user, ability, **lookup):
    """Fetch one object the user may see; anything else is a 404. The rest of the request is
    shown in the object's district's time zone (the middleware already chose the user's, which
    is the same unless the user works in several zones)."""
    obj = get_object_or_404(restrict(queryset, user, ability), **lookup)
    scope = scope_for(user)
    if scope.spans_zones:
        district_id = _resolve(obj, _scope_fields(type(obj))["district"])
        zone = scope.district_zones.get(district_id)
        if zone is None:
            from .models import District

            zone = District.objects.filter(pk=district_id).values_list("time_zone", flat=True)
            zone = zone.first()
        if zone:
            clock.activate(zone)
    return obj


def require(user, ability, obj):
    """For an object the user can already see: refuse (403) an action they may not take."""
    if not can(user, ability, obj):
        raise PermissionDenied(f"You cannot {ability.name.replace('_', ' ')} here.")
