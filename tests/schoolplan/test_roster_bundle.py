# The OneRoster files are written as they come: their header lines are long.
# ruff: noqa: E501
"""Reading and checking OneRoster CSV bundles (issue 21, the first part: nothing is written yet).
Valid 1.1 and 1.2 bundles, as a folder and as a .zip; broken ones name file, row and column;
no student is kept."""

import zipfile

import pytest

from schoolplan.roster_bundle import BundleError, check, read_files

from ..roster_files import CLASSES, ENROLLMENTS, MANIFEST_11, ORGS, SESSIONS, USERS_11, bundle_11


def problems_of(files):
    with pytest.raises(BundleError) as error:
        check(files)
    return [str(p) for p in error.value.problems]


def test_a_one_roster_11_bundle_gives_schools_staff_and_classes_and_no_student():
    roster = check(bundle_11())
    assert roster.version == "1.1" and roster.district == "d1"
    assert roster.modes["users.csv"] == "bulk" and roster.modes["courses.csv"] == "absent"
    assert {k: name for k, (name, _) in roster.schools.items()} == {
        "s1": "Valdez Elementary",
        "s2": "Lincoln Middle",
    }
    assert set(roster.people) == {"u1", "u2", "u3"}  # the student p1 is not kept
    assert roster.people["u1"].schools == {"s1": "principal"}
    assert roster.people["u1"].email == "ana.valdez@riverbend.example.org"
    assert roster.people["u2"].schools == {"s1": "staff", "s2": "staff"}
    assert roster.classes["c1"].teachers == ["u2", "u3"]  # primary first; the pupil is no teacher
    assert "p1" not in repr(roster)


def test_a_one_roster_12_bundle_takes_roles_from_roles_csv(tmp_path):
    users_12 = USERS_11.replace("orgSourcedIds,role,", "").replace(",s1,administrator,", ",")
    users_12 = (
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
        "u1,,,true,avaldez,,Ana,Valdez,,,ana@riverbend.example.org,,,,,\n"
        "u2,,,true,slee,,Sam,Lee,,,sam@riverbend.example.org,,,,,\n"
        "u3,,,true,pnat,,Priya,Natarajan,,,priya@riverbend.example.org,,,,,\n"
        "p1,,,true,jdoe,,Jane,Doe,,,,,,,3,\n"
    )
    roles = (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,orgSourcedId,"
        "userProfileSourcedId,beginDate,endDate\n"
        "r1,,,u1,primary,principal,s1,,,\n"
        "r2,,,u2,primary,teacher,s1,,,\n"
        "r3,,,u2,secondary,teacher,s2,,,\n"
        "r4,,,u3,primary,aide,s1,,,\n"
        "r5,,,p1,primary,student,s1,,,\n"
    )
    manifest = MANIFEST_11.replace("oneroster.version,1.1", "oneroster.version,1.2").replace(
        "file.roles,absent", "file.roles,bulk"
    )
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, data in bundle_11(
        **{"manifest.csv": manifest, "users.csv": users_12, "roles.csv": roles}
    ).items():
        (folder / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"oneroster/{path.name}")
    for source in (folder, tmp_path / "bundle.zip"):
        roster = check(read_files(source))
        assert roster.version == "1.2"
        assert roster.people["u1"].schools == {"s1": "principal"}
        assert roster.people["u2"].schools == {"s1": "staff", "s2": "staff"}
        assert "p1" not in roster.people


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"enrollments.csv": ENROLLMENTS + "e5,,,c9,s1,u2,teacher,false,,\n"},
            "enrollments.csv, line 6 (row 5 of enrollments), column classSourcedId: no such class in classes.csv",
        ),
        (
            {"enrollments.csv": ENROLLMENTS + "e5,,,c1,s1,u9,teacher,false,,\n"},
            "enrollments.csv, line 6 (row 5 of enrollments), column userSourcedId: no such user in users.csv",
        ),
        (
            {"classes.csv": CLASSES + "c3,,,5A,05,,5A,homeroom,,s9,t1,,,\n"},
            "classes.csv, line 4 (row 3 of classes), column schoolSourcedId: no such org in orgs.csv",
        ),
        (
            {"users.csv": USERS_11 + "u1,,,true,s1,teacher,dup,,D,Up,,,d@x.org,,,,,\n"},
            "users.csv, line 6 (row 5 of users), column sourcedId: “u1” is also on "
            "line 2 (row 1 of users)",
        ),
        (
            {"users.csv": USERS_11.replace(",aide,", ",janitor,")},
            "users.csv, line 4 (row 3 of users), column role: “janitor” is not one of",
        ),
        (
            {"orgs.csv": ORGS.replace(",school,,d1\ns2", ",campus,,d1\ns2")},
            "orgs.csv, line 3 (row 2 of orgs), column type: “campus” is not one of",
        ),
        (
            {"academicSessions.csv": SESSIONS.replace("2027-06-30", "30/06/2027")},
            "academicSessions.csv, line 2 (row 1 of academicSessions), column endDate: “30/06/2027” is not a date",
        ),
        (
            {
                "users.csv": USERS_11.replace(
                    "Sam,Lee,,,sam.lee@riverbend.example.org", "Sam,Lee,,,"
                )
            },
            "users.csv, line 3 (row 2 of users), column email: staff need an e-mail address to sign in",
        ),
        ({"enrollments.csv": None}, "enrollments.csv: the manifest says bulk, the file is missing"),
        (
            {"manifest.csv": MANIFEST_11.replace("1.1", "2.0")},
            "manifest.csv, column oneroster.version: “2.0” is not 1.1 or 1.2",
        ),
        (
            {"classes.csv": CLASSES.replace("schoolSourcedId,", "school,")},
            "classes.csv, line 1 (the header), column schoolSourcedId: this column is missing",
        ),
    ],
)
def test_a_broken_bundle_names_file_row_and_column(changes, expected):
    problems = problems_of(bundle_11(**changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_listed_at_once():
    files = bundle_11(
        **{
            "enrollments.csv": ENROLLMENTS + "e5,,,c9,s1,u9,teacher,false,,\n",
            "users.csv": USERS_11.replace(",aide,", ",janitor,"),
        }
    )
    problems = problems_of(files)
    assert len(problems) >= 3


def test_a_file_that_is_not_utf8_is_named():
    files = bundle_11()
    files["users.csv"] = "sourcedId,username\nu1,Müller\n".encode("latin-1")
    assert problems_of(files) == ["users.csv: not UTF-8 (unreadable byte at position 23)"]


def test_not_a_zip(tmp_path):
    path = tmp_path / "roster.zip"
    path.write_bytes(b"hello")
    with pytest.raises(BundleError, match="not a .zip or a folder"):
        read_files(path)
