"""The roster import (issue 21): what a checked roster (schoolplan.roster_bundle, roster_plain)
changes in a district, shown first as a dry run, then written in one transaction.

- Keyed by sourcedId: schools (School.sourced_id), staff accounts (User.sourced_id with
  User.roster_district) and, through a part the meetings app registers, classes. A school or an
  account SchoolPlan already had is found by its name or e-mail the first time and linked.
- The roster keeps the principal and school-staff memberships at the district's rostered
  schools. In bulk mode (users.csv says bulk; the plain templates always are) a membership the
  file no longer gives ends; in delta mode only those of the people in the file do. A person or a
  school with status tobedeleted (or inactive) ends theirs. Ending sets Membership.ended_on: the
  account and the record stay. Nothing is deleted.
- The same roster twice changes nothing; a changed roster changes exactly the difference.
- Every write is a bulk statement: the number of queries does not grow row by row.
- New accounts get an invitation (schoolplan.invitations), queued in the same transaction.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from . import clock, roster_core
from .models import AuditEvent, District, RosterSource
from .roster_bundle import BundleError, Problem, check, read_files
from .roster_plain import check_plain

KINDS = ("schools", "accounts", "memberships", "classes")
ACTIONS = ("create", "update", "end", "skip")
PREVIEW_LINES = 200  # per kind and action; the counts say how many in all


@dataclass
class Change:
    kind: str  # schools | accounts | memberships | classes
    action: str  # create | update | end | skip
    label: str
    detail: str = ""

    def as_dict(self):
        return {
            "kind": self.kind,
            "action": self.action,
            "label": self.label,
            "detail": self.detail,
        }


@dataclass
class Plan:
    """What importing roster into district changes. Parts add their changes and the work that
    makes them (steps, run in order by apply)."""

    district: District
    roster: object
    today: object
    changes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # (label, size, callable)
    schools: dict = field(default_factory=dict)  # school sourcedId -> School (saved or to be)
    users: dict = field(default_factory=dict)  # person sourcedId -> User (saved or to be)
    invite: list = field(default_factory=list)  # new accounts

    def add(self, kind, action, label, detail=""):
        self.changes.append(Change(kind, action, label, detail))

    def fail(self, file, row, column, message):
        self.problems.append(Problem(file, row, column, message))

    @property
    def counts(self):
        found = Counter((change.kind, change.action) for change in self.changes)
        return {kind: {action: found[kind, action] for action in ACTIONS} for kind in KINDS}

    @property
    def changes_anything(self):
        return any(change.action != "skip" for change in self.changes)

    def preview(self):
        """The first PREVIEW_LINES changes of each kind and action, for the page."""
        shown = Counter()
        lines = []
        for change in self.changes:
            key = change.kind, change.action
            if shown[key] < PREVIEW_LINES:
                shown[key] += 1
                lines.append(change.as_dict())
        return lines


def read_roster(files, district_org=None):
    """(source, Roster) from {file name: bytes}: a OneRoster bundle (it has manifest.csv) or the
    plain templates; BundleError lists every problem."""
    if "manifest.csv" in files:
        return RosterSource.ONEROSTER, check(files, district_org)
    if "schools.csv" in files or "staff.csv" in files:
        return RosterSource.PLAIN, check_plain(files)
    problem = Problem(
        "manifest.csv",
        None,
        "",
        "neither a OneRoster bundle (manifest.csv) nor schools.csv and staff.csv",
    )
    raise BundleError([problem])


def read_roster_at(path, district_org=None):
    return read_roster(read_files(path), district_org)


# Other apps add what they keep of a roster (meetings: classes). A part is a callable taking
# the Plan after schools, accounts and memberships are planned.
PARTS = []


def register_part(part):
    if part not in PARTS:
        PARTS.append(part)


def plan_import(district, roster):
    """The dry run: every change, and every conflict with what is stored (as Problems)."""
    plan = Plan(district, roster, clock.today(district))
    roster_core.plan_schools(plan)
    roster_core.plan_accounts(plan)
    roster_core.plan_memberships(plan)
    for part in PARTS:
        part(plan)
    return plan


def import_roster(district, roster, *, dry_run, by=None, progress=None, expected=None):
    """Plan, and unless dry_run (or with problems) apply, all in one transaction; the Plan.

    expected: the counts a confirmed preview showed; if the stored data changed since, so that
    the import would now do something else, nothing is written and the Plan says why.
    A concurrent import of the same district waits for this one (the district row is locked),
    then plans against what this one wrote."""
    with transaction.atomic():
        if not dry_run:
            District.objects.select_for_update().filter(pk=district.pk).first()
        plan = plan_import(district, roster)
        if expected is not None and plan.counts != expected and not plan.problems:
            plan.fail(
                "",
                None,
                "",
                "What SchoolPlan holds changed since the preview (another import, or an edit), "
                f"so this import would now do something else ({summary(plan.counts)}). "
                "Upload the file again to see a new preview.",
            )
        if dry_run or plan.problems:
            return plan
        apply(plan, by=by, progress=progress)
    return plan


def apply(plan, *, by=None, progress=None):
    from .invitations import invite

    # Queued in the same transaction: an import that rolls back invites nobody.
    steps = [
        *plan.steps,
        ("invitations", len(plan.invite), lambda: invite(plan.invite, plan.district)),
    ]
    total = sum(size for _, size, _ in steps) or 1
    done = 0
    for label, size, step in steps:
        step()
        done += size
        if progress:
            progress(done, total, label)
    AuditEvent.objects.create(
        user=by,
        username=by.username if by else "",
        action="roster-import",
        subject=f"district:{plan.district.pk}",
        summary=summary(plan.counts)[:300],
    )


def summary(counts):
    """ "schools 2 created; accounts 40 created, 3 updated; …" for logs and the audit."""
    parts = []
    for kind in KINDS:
        done = [f"{n} {action}d" for action, n in counts.get(kind, {}).items() if n]
        if done:
            parts.append(f"{kind} " + ", ".join(done).replace("skipd", "skipped"))
    return "; ".join(parts) or "no changes"
