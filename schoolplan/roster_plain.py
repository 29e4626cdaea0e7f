"""The two plain CSV templates for districts without OneRoster (issue 21): schools.csv and
staff.csv, read into the same Roster as a OneRoster bundle (schoolplan.roster_bundle), checked
the same way: every problem names file, row and column, and any problem means nothing is read.

schools.csv   school_id,name[,level]            one row a school; level: elementary, middle or
              high (a new school without one starts as elementary)
staff.csv     staff_id,email,given_name,family_name,school_id,role
              role: principal, or staff (teacher and aide are accepted as staff);
              one row per school a person works at.

Both files are complete lists (bulk): a person missing from staff.csv loses their memberships.
"""

import csv

from .csvfiles import data_rows, records
from .roster_bundle import BundleError, Person, Problem, Roster, unique_emails

SCHOOL_COLUMNS = ("school_id", "name")
STAFF_COLUMNS = ("staff_id", "email", "given_name", "family_name", "school_id", "role")
LEVELS = {"elementary", "middle", "high"}
LEVELS_TEXT = "elementary, middle, high"
ROLES = {"principal": "principal", "staff": "staff", "teacher": "staff", "aide": "staff"}


def _rows(name, data, columns, problems):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(name, None, "", f"not UTF-8 (unreadable byte at position {error.start})")
        )
        return []
    try:
        table = records(text)
    except csv.Error as error:
        problems.append(Problem(name, None, "", f"not valid CSV: {error}"))
        return []
    header = [cell.strip() for cell in table[0]] if table else []
    missing = [column for column in columns if column not in header]
    for column in missing:
        problems.append(Problem(name, 1, column, "this column is missing"))
    if missing:
        return []
    return [
        (place, {h: c.strip() for h, c in zip(header, cells, strict=False)})
        for place, cells in data_rows(table, name.removesuffix(".csv"))
    ]


def check_plain(files):
    """The Roster in {"schools.csv": bytes, "staff.csv": bytes}, or BundleError."""
    problems = []
    for name in ("schools.csv", "staff.csv"):
        if name not in files:
            problems.append(Problem(name, None, "", "the file is missing"))
    if problems:
        raise BundleError(problems)
    schools, levels, seen = {}, {}, {}
    for number, row in _rows("schools.csv", files["schools.csv"], SCHOOL_COLUMNS, problems):
        key = row["school_id"]
        if not key or not row["name"]:
            column = "school_id" if not key else "name"
            problems.append(Problem("schools.csv", number, column, "empty"))
        elif key in seen:
            problems.append(
                Problem("schools.csv", number, "school_id", f"“{key}” is also on {seen[key].ref}")
            )
        elif row.get("level") and row["level"].lower() not in LEVELS:
            problems.append(
                Problem(
                    "schools.csv", number, "level", f"“{row['level']}” is not one of {LEVELS_TEXT}"
                )
            )
        else:
            seen[key] = number
            schools[key] = (row["name"], "")
            if row.get("level"):
                levels[key] = row["level"].lower()
    people = {}
    for number, row in _rows("staff.csv", files["staff.csv"], STAFF_COLUMNS, problems):

        def fail(column, message, number=number):
            problems.append(Problem("staff.csv", number, column, message))

        key, email = row["staff_id"], row["email"].lower()
        if not key:
            fail("staff_id", "empty")
            continue
        if "@" not in email:
            fail("email", "staff need an e-mail address to sign in")
        if row["school_id"] not in schools:
            fail("school_id", f"“{row['school_id']}” is not in schools.csv")
        if row["role"].lower() not in ROLES:
            fail("role", f"“{row['role']}” is not one of principal, staff")
            continue
        person = people.setdefault(
            key,
            Person(key, email, row["given_name"], row["family_name"], email, "", row=number.ref),
        )
        if person.email != email:
            fail("email", f"staff_id “{key}” has another e-mail on an earlier row")
        kind = ROLES[row["role"].lower()]
        if person.schools.get(row["school_id"]) != "principal":
            person.schools[row["school_id"]] = kind
    unique_emails(people, "staff.csv", problems)
    if problems:
        raise BundleError(problems)
    modes = {"orgs.csv": "bulk", "users.csv": "bulk", "classes.csv": "absent"}
    return Roster("plain", "", modes, schools, people, {}, levels)
