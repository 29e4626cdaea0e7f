"""The plain CSV templates (schools.csv, staff.csv) read into the same Roster as OneRoster."""

import pytest

from schoolplan.roster_bundle import BundleError
from schoolplan.roster_plain import check_plain

SCHOOLS = "school_id,name\nV1,Valdez Elementary\nL2,Lincoln Middle\n"
STAFF = (
    "staff_id,email,given_name,family_name,school_id,role\n"
    "100,Ana@Riverbend.example.org,Ana,Valdez,V1,principal\n"
    "200,sam@riverbend.example.org,Sam,Lee,V1,teacher\n"
    "200,sam@riverbend.example.org,Sam,Lee,L2,staff\n"
)


def files(schools=SCHOOLS, staff=STAFF):
    return {"schools.csv": schools.encode(), "staff.csv": staff.encode()}


def test_the_templates_give_schools_and_staff():
    roster = check_plain(files())
    assert roster.schools == {"V1": ("Valdez Elementary", ""), "L2": ("Lincoln Middle", "")}
    assert roster.people["100"].schools == {"V1": "principal"}
    assert roster.people["100"].email == "ana@riverbend.example.org"
    assert roster.people["200"].schools == {"V1": "staff", "L2": "staff"}
    assert roster.classes == {} and roster.modes["users.csv"] == "bulk"


@pytest.mark.parametrize(
    ("schools", "staff", "expected"),
    [
        (
            SCHOOLS + "V1,Again\n",
            STAFF,
            "schools.csv, line 4 (row 3 of schools), column school_id: “V1” is also on "
            "line 2 (row 1 of schools)",
        ),
        (
            SCHOOLS,
            STAFF + "300,x@y.org,X,Y,Z9,staff\n",
            "staff.csv, line 5 (row 4 of staff), column school_id: “Z9”",
        ),
        (
            SCHOOLS,
            STAFF + "300,x@y.org,X,Y,V1,janitor\n",
            "staff.csv, line 5 (row 4 of staff), column role: “janitor”",
        ),
        (
            SCHOOLS,
            STAFF + "300,,X,Y,V1,staff\n",
            "staff.csv, line 5 (row 4 of staff), column email: staff need",
        ),
        (
            SCHOOLS,
            STAFF + "200,other@y.org,Sam,Lee,L2,staff\n",
            "staff.csv, line 5 (row 4 of staff), column email",
        ),
        (
            "id,name\n1,A\n",
            STAFF,
            "schools.csv, line 1 (the header), column school_id: this column is missing",
        ),
    ],
)
def test_broken_templates_name_file_row_and_column(schools, staff, expected):
    with pytest.raises(BundleError) as error:
        check_plain(files(schools, staff))
    assert any(str(p).startswith(expected) for p in error.value.problems), error.value.problems


def test_a_missing_file_is_named():
    with pytest.raises(BundleError, match="staff.csv: the file is missing"):
        check_plain({"schools.csv": SCHOOLS.encode()})
