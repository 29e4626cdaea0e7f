"""The roster import (issue 21): the dry run, all or nothing, idempotent, bulk and delta,
nothing deleted, invitations, the command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from meetings.models import SchoolClass
from schoolplan.models import (
    AuditEvent,
    Membership,
    OutboxEmail,
    Role,
    RosterImport,
    School,
    User,
)
from schoolplan.permissions import scope_for
from schoolplan.roster import import_roster, read_roster

from ..clock import on
from ..factories import SchoolFactory, UserFactory, member
from ..roster_files import CLASSES, ENROLLMENTS, MANIFEST_11, ORGS, USERS_11, bundle_11

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def autumn(clock, school_year):
    clock.set(on(10, 1))


def run(district, dry_run=False, **changes):
    _, roster = read_roster(bundle_11(**changes))
    return import_roster(district, roster, dry_run=dry_run)


def snapshot():
    """Everything the import may touch, as comparable rows."""
    return (
        sorted(School.objects.values_list("pk", "name", "sourced_id", "level")),
        sorted(User.objects.values_list("pk", "username", "email", "first_name", "last_name")),
        sorted(
            Membership.all_objects.values_list("pk", "user_id", "school_id", "role", "ended_on")
        ),
        sorted(SchoolClass.objects.values_list("pk", "name", "grade", "teacher_id", "school_id")),
        sorted(SchoolClass.co_leaders.through.objects.values_list("schoolclass_id", "user_id")),
        OutboxEmail.objects.count(),
    )


def test_the_dry_run_shows_every_change_with_counts_and_writes_nothing(district):
    before = snapshot()
    plan = run(district, dry_run=True)
    assert plan.problems == []
    counts = plan.counts
    assert counts["schools"]["create"] == 2
    assert counts["accounts"]["create"] == 3  # the pupil is no account
    assert counts["memberships"]["create"] == 4  # Ana principal; Sam at both; Priya at s1
    assert counts["classes"]["create"] == 2
    assert {(c["kind"], c["label"]) for c in plan.preview()} >= {
        ("schools", "Valdez Elementary"),
        ("accounts", "Ana Valdez"),
        ("classes", "Algebra 1, Lincoln Middle"),
    }
    assert snapshot() == before  # not a row, not an e-mail


def test_the_import_creates_schools_staff_memberships_and_classes_and_no_pupil(
    district, school_year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        run(district)
    valdez = School.objects.get(district=district, sourced_id="s1")
    lincoln = School.objects.get(district=district, sourced_id="s2")
    assert (valdez.name, valdez.level) == ("Valdez Elementary", "elementary")
    assert lincoln.level == "middle"  # Algebra 1 is grade 8
    ana = User.objects.get(roster_district=district, sourced_id="u1")
    assert ana.email == "ana.valdez@riverbend.example.org" and not ana.has_usable_password()
    roles = set(
        Membership.objects.filter(school__district=district).values_list(
            "user__sourced_id", "school__sourced_id", "role"
        )
    )
    assert roles == {
        ("u1", "s1", Role.PRINCIPAL),
        ("u2", "s1", Role.SCHOOL_STAFF),
        ("u2", "s2", Role.SCHOOL_STAFF),
        ("u3", "s1", Role.SCHOOL_STAFF),
    }
    homeroom = SchoolClass.objects.get(sourced_id="c1")
    assert (homeroom.school, homeroom.school_year, homeroom.grade) == (valdez, school_year, "03")
    assert homeroom.teacher.sourced_id == "u2"
    assert [u.sourced_id for u in homeroom.co_leaders.all()] == ["u3"]
    # No student row: not an account, not a name.
    assert not User.objects.filter(Q(sourced_id="p1") | Q(last_name="Doe")).exists()
    # Each new account is invited, once; the import is in the audit log.
    invitations = OutboxEmail.objects.filter(key__startswith="invitation:")
    assert sorted(e.to[0] for e in invitations) == [
        "ana.valdez@riverbend.example.org",
        "priya@riverbend.example.org",
        "sam.lee@riverbend.example.org",
    ]
    assert "/accounts/invitation/" in invitations[0].body
    assert AuditEvent.objects.filter(action="roster-import", subject=f"district:{district.pk}")


def test_the_same_bundle_twice_changes_nothing(district):
    run(district)
    before = snapshot()
    plan = run(district)
    assert not plan.changes_anything
    assert all(n == 0 for kind in plan.counts.values() for n in kind.values())
    assert snapshot() == before


def test_a_changed_bundle_changes_exactly_the_difference(district):
    run(district)
    priya = User.objects.get(sourced_id="u3")
    users = (
        USERS_11.replace(",Sam,Lee,", ",Samuel,Lee,")
        .replace("u3,,,true,s1,aide", "u3,tobedeleted,,true,s1,aide")
        .replace(
            "p1,,,",
            "u4,,,true,s2,principal,mkim,,Min,Kim,,,min.kim@riverbend.example.org,,,,,\np1,,,",
        )
    )
    plan = run(district, **{"users.csv": users})
    assert plan.counts["accounts"] == {"create": 1, "update": 1, "end": 0, "skip": 0}
    assert plan.counts["memberships"] == {"create": 1, "update": 0, "end": 1, "skip": 0}
    # Priya's membership ended, and is kept; her account stays for the record.
    ended = Membership.all_objects.get(user=priya)
    assert ended.ended_on == on(10, 1)
    assert not priya.memberships.exists()  # what grants anything are current memberships
    assert scope_for(User.objects.get(pk=priya.pk)).school_roles == {}
    assert User.objects.filter(pk=priya.pk, is_active=True).exists()
    # ... and she is no longer on the class team (she is no teacher in the roster now).
    assert not SchoolClass.objects.get(sourced_id="c1").co_leaders.exists()
    assert User.objects.get(sourced_id="u2").first_name == "Samuel"
    assert Membership.objects.filter(user__sourced_id="u4", role=Role.PRINCIPAL).exists()
    assert not run(district, **{"users.csv": users}).changes_anything


def test_in_bulk_a_person_missing_from_the_file_loses_their_memberships(district):
    run(district)
    without_priya = "\n".join(line for line in USERS_11.splitlines() if not line.startswith("u3"))
    enrollments = ENROLLMENTS.replace("e2,,,c1,s1,u3,teacher,false,,\n", "")
    plan = run(district, **{"users.csv": without_priya + "\n", "enrollments.csv": enrollments})
    assert plan.counts["memberships"]["end"] == 1
    assert not Membership.objects.filter(user__sourced_id="u3").exists()
    assert Membership.all_objects.filter(user__sourced_id="u3").exists()


def test_in_delta_a_person_missing_from_the_file_keeps_theirs(district):
    run(district)
    delta = MANIFEST_11.replace("file.users,bulk", "file.users,delta")
    without_priya = "\n".join(line for line in USERS_11.splitlines() if not line.startswith("u3"))
    enrollments = ENROLLMENTS.replace("e2,,,c1,s1,u3,teacher,false,,\n", "")
    plan = run(
        district,
        **{
            "manifest.csv": delta,
            "users.csv": without_priya + "\n",
            "enrollments.csv": enrollments,
        },
    )
    assert plan.counts["memberships"]["end"] == 0
    assert Membership.objects.filter(user__sourced_id="u3").exists()


def test_a_school_and_a_principal_already_in_schoolplan_are_linked_not_doubled(district):
    valdez = SchoolFactory(district=district, name="Valdez Elementary")
    ana = UserFactory(username="ana", email="Ana.Valdez@Riverbend.example.org")
    member(Role.PRINCIPAL, valdez, ana)
    teacher_by_hand = member(Role.SCHOOL_STAFF, valdez)
    plan = run(district)
    valdez.refresh_from_db()
    ana.refresh_from_db()
    assert valdez.sourced_id == "s1" and ana.sourced_id == "u1"
    assert School.objects.filter(district=district).count() == 2
    assert Membership.objects.filter(user=ana, school=valdez, role=Role.PRINCIPAL).count() == 1
    assert plan.counts["memberships"]["create"] == 3
    # Not invited: Ana had an account; the roster is bulk, so the staff member typed in by hand
    # whom the SIS does not list loses the membership.
    assert all(ana.email not in e.to for e in OutboxEmail.objects.all())
    assert not Membership.objects.filter(user=teacher_by_hand).exists()


def test_roles_other_than_principal_and_staff_are_the_roster_s_to_leave_alone(district):
    run(district)
    valdez = School.objects.get(sourced_id="s1")
    cadre = member(Role.CADRE_MEMBER, valdez)
    staff = member(Role.DISTRICT_STAFF, district)
    run(district, **{"users.csv": USERS_11.replace("u3,,,", "u3,tobedeleted,,")})
    assert Membership.objects.filter(user__in=[cadre, staff]).count() == 2


def test_a_school_the_sis_drops_ends_its_memberships_and_stays(district):
    run(district)
    plan = run(district, **{"orgs.csv": ORGS.replace("s2,,,Lincoln", "s2,tobedeleted,,Lincoln")})
    assert plan.counts["memberships"]["end"] == 1  # Sam at Lincoln
    assert School.objects.filter(sourced_id="s2").exists()


def test_a_class_without_a_teacher_is_skipped_and_said(district):
    classes = CLASSES + "c3,,,Art,04,,ART,scheduled,,s1,t1,,,\n"
    plan = run(district, **{"classes.csv": classes})
    skipped = [c for c in plan.preview() if c["action"] == "skip"]
    assert skipped == [
        {
            "kind": "classes",
            "action": "skip",
            "label": "Art, Valdez Elementary",
            "detail": "no teacher in enrollments.csv",
        }
    ]
    assert not SchoolClass.objects.filter(sourced_id="c3").exists()


def test_two_classes_of_one_title_in_a_school_both_come_in(district):
    classes = CLASSES + "c3,,,3B,03,,3B-2,homeroom,,s1,t1,,,\n"
    enrollments = ENROLLMENTS + "e5,,,c3,s1,u3,teacher,true,,\n"
    run(district, **{"classes.csv": classes, "enrollments.csv": enrollments})
    names = set(SchoolClass.objects.filter(school__sourced_id="s1").values_list("name", flat=True))
    assert names == {"3B", "3B (3B-2)"}
    assert not run(
        district, **{"classes.csv": classes, "enrollments.csv": enrollments}
    ).changes_anything


def test_a_conflict_with_what_is_stored_writes_nothing(district):
    run(district)
    SchoolFactory(district=district, name="Jefferson High")
    before = snapshot()
    plan = run(district, **{"orgs.csv": ORGS.replace("Lincoln Middle", "Jefferson High")})
    assert [str(p) for p in plan.problems] == [
        "orgs.csv, column name: “Jefferson High” is another school's name in Riverbend USD"
    ]
    assert snapshot() == before


def test_a_failure_while_writing_leaves_nothing_half_written(district, monkeypatch):
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SchoolClass.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(district)
    assert snapshot() == before


def test_the_plain_templates_import_schools_and_staff(district):
    files = {
        "schools.csv": b"school_id,name,level\nA1,Oak Grove High,high\nA2,Elm Elementary,\n",
        "staff.csv": (
            b"staff_id,email,given_name,family_name,school_id,role\n"
            b"T1,lee@oak.example.org,Lee,Park,A1,principal\n"
            b"T2,kim@oak.example.org,Kim,Ortiz,A1,teacher\n"
            b"T2,kim@oak.example.org,Kim,Ortiz,A2,staff\n"
        ),
    }
    source, roster = read_roster(files)
    assert source == "plain"
    plan = import_roster(district, roster, dry_run=False)
    assert plan.counts["schools"]["create"] == 2 and plan.counts["memberships"]["create"] == 3
    assert School.objects.get(sourced_id="A1").level == "high"
    assert not import_roster(district, roster, dry_run=False).changes_anything


# --- The command -----------------------------------------------------------------------------


def write_bundle(folder, **changes):
    folder.mkdir()
    for name, data in bundle_11(**changes).items():
        (folder / name).write_bytes(data)
    return folder


def test_the_command_dry_run_prints_counts_and_writes_nothing(district, tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    before = snapshot()
    out = StringIO()
    call_command("import_roster", str(folder), district=district.slug, dry_run=True, stdout=out)
    assert "schools            2" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert snapshot() == before
    log = RosterImport.objects.get(district=district)
    assert log.counts["accounts"]["create"] == 3 and not log.applied_at


def test_the_command_imports_and_logs(district, tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    out = StringIO()
    call_command("import_roster", str(folder), district=district.slug, stdout=out)
    assert "Imported: schools 2 created; accounts 3 created" in out.getvalue()
    assert User.objects.filter(roster_district=district).count() == 3
    assert RosterImport.objects.get(district=district).applied_counts["classes"]["create"] == 2


def test_the_command_refuses_a_broken_bundle_naming_file_row_and_column(district, tmp_path):
    enrollments = ENROLLMENTS + "e5,,,c9,s1,u2,teacher,false,,\n"
    folder = write_bundle(tmp_path / "bundle", **{"enrollments.csv": enrollments})
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_roster", str(folder), district=district.slug, stderr=err)
    assert (
        "enrollments.csv, line 6 (row 5 of enrollments), column classSourcedId: no such class"
        in err.getvalue()
    )
    assert snapshot() == before
    log = RosterImport.objects.get(district=district)
    assert log.status == "failed" and log.problems[0]["row"] == "line 6 (row 5 of enrollments)"


def test_the_command_names_an_unknown_district(db, tmp_path):
    with pytest.raises(CommandError, match="No district with the slug “nowhere”"):
        call_command("import_roster", str(tmp_path), district="nowhere")


def test_an_account_whose_roles_all_ended_signs_in_no_more(client, district):
    run(district)
    priya = User.objects.get(sourced_id="u3")
    priya.set_password("a-long-test-password-1")
    priya.save()
    run(district, **{"users.csv": USERS_11.replace("u3,,,", "u3,tobedeleted,,")})
    response = client.post(
        "/accounts/login/", {"username": priya.username, "password": "a-long-test-password-1"}
    )
    assert "Your roles in SchoolPlan have ended" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Sam keeps his: he signs in.
    sam = User.objects.get(sourced_id="u2")
    sam.set_password("a-long-test-password-1")
    sam.save()
    response = client.post(
        "/accounts/login/", {"username": sam.username, "password": "a-long-test-password-1"}
    )
    assert response.status_code == 302


def test_an_e_mail_changed_to_another_account_s_is_refused(district):
    run(district)
    UserFactory(username="someone", email="taken@riverbend.example.org")
    before = snapshot()
    users = USERS_11.replace("sam.lee@riverbend.example.org", "taken@riverbend.example.org")
    plan = run(district, **{"users.csv": users})
    assert [str(p) for p in plan.problems] == [
        "users.csv, line 3 (row 2 of users), column email: taken@riverbend.example.org is "
        "already the address of another account (someone)"
    ]
    assert snapshot() == before
