"""Reading and checking a OneRoster 1.1 or 1.2 CSV bundle (issue 21), before anything is written.

A bundle is a .zip or a folder with manifest.csv and the files it names. Everything is checked
first: the files and their columns, duplicate sourcedIds, enumerations, dates, and every
reference (a user's school, a class's school, an enrollment's class and user). Each problem
names its file, row and column; with any problem the import writes nothing.

What is kept is what SchoolPlan needs: the district's schools, staff (administrators and
principals, teachers and aides) and the classes with their teachers. **No student row is kept**:
students' sourcedIds are held in memory only while the enrollments that name them are checked.
"""

import csv
import io
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from .csvfiles import HEADER_REF, Place, data_rows, records

MAX_FILE_BYTES = 200 * 1024 * 1024
STATUSES = {"", "active", "tobedeleted", "inactive"}
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
MODES = {"bulk", "delta", "absent"}
# OneRoster roles -> SchoolPlan's: principals, and school staff (a class's team).
PRINCIPAL_ROLES = {"administrator", "principal", "siteAdministrator"}
STAFF_ROLES = {"teacher", "aide"}
USER_ROLES = {
    *PRINCIPAL_ROLES,
    *STAFF_ROLES,
    "districtAdministrator",
    "systemAdministrator",
    "counselor",
    "proctor",
    "student",
    "guardian",
    "parent",
    "relative",
    "exAdministrator",
}
ENROLLMENT_ROLES = {"administrator", "proctor", "student", "teacher", "aide", "guardian"}
# The columns each file must have (1.1; 1.2's users.csv has no role column: roles.csv has it).
REQUIRED = {
    "orgs.csv": ("sourcedId", "name", "type", "parentSourcedId"),
    "users.csv": ("sourcedId", "username", "givenName", "familyName", "email"),
    "roles.csv": ("sourcedId", "userSourcedId", "role", "orgSourcedId"),
    "classes.csv": ("sourcedId", "title", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "academicSessions.csv": ("sourcedId", "title", "type", "startDate", "endDate"),
    "courses.csv": ("sourcedId", "title"),
}
NEEDED = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")


@dataclass(frozen=True)
class Problem:
    file: str
    row: str | int | None  # where in the file: a csvfiles.Place (kept as its words), 1 the header
    column: str
    message: str

    def __post_init__(self):
        # Named the one way every CSV import names a place (schoolplan.csvfiles), and kept as
        # words so a checked upload's problems stay JSON.
        if isinstance(self.row, Place):
            object.__setattr__(self, "row", self.row.ref)
        elif self.row == 1:
            object.__setattr__(self, "row", HEADER_REF)

    def __str__(self):
        where = self.file + (f", {self.row}" if self.row else "")
        where += f", column {self.column}" if self.column else ""
        return f"{where}: {self.message}"


@dataclass
class Person:
    sourced_id: str
    username: str
    given_name: str
    family_name: str
    email: str
    status: str
    schools: dict = field(default_factory=dict)  # school sourcedId -> "principal" | "staff"
    row: int | None = None  # where users.csv (staff.csv) gives the person


@dataclass
class RosterClass:
    sourced_id: str
    title: str
    school: str
    status: str
    teachers: list = field(default_factory=list)  # user sourcedIds, the primary first
    grades: str = ""  # as classes.csv gives them: "03", "09,10"
    class_code: str = ""


@dataclass
class Roster:
    """What a checked bundle holds for SchoolPlan. modes: file name -> bulk | delta | absent."""

    version: str
    district: str  # the district org's sourcedId
    modes: dict
    schools: dict  # sourcedId -> (name, status)
    people: dict  # sourcedId -> Person (staff only)
    classes: dict  # sourcedId -> RosterClass
    levels: dict = field(default_factory=dict)  # school sourcedId -> elementary | middle | high


ENDED = {"tobedeleted", "inactive"}


def is_active(status):
    """OneRoster's status: empty or active is in force; tobedeleted (1.1) or inactive ends it."""
    return status not in ENDED


def unique_emails(people, file, problems):
    """Staff sign in by e-mail: two people with one address is a problem on the second's row."""
    seen = {}
    for person in people.values():
        if person.email in seen and person.email:
            problems.append(
                Problem(file, person.row, "email", f"also the e-mail of {seen[person.email]}")
            )
        seen.setdefault(person.email, person.sourced_id)


def roster_as_json(roster):
    """The Roster as JSON-able data (what a checked upload keeps; it holds no pupil)."""
    return asdict(roster)


def roster_from_json(data):
    return Roster(
        version=data["version"],
        district=data["district"],
        modes=data["modes"],
        schools={key: tuple(value) for key, value in data["schools"].items()},
        people={key: Person(**value) for key, value in data["people"].items()},
        classes={key: RosterClass(**value) for key, value in data["classes"].items()},
        levels=data.get("levels", {}),
    )


class BundleError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:50]))


def read_files(path):
    """{file name: bytes} of a bundle at path: a .zip or a folder."""
    path = Path(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir() if p.suffix == ".csv"}
    return read_zip(path, path.name, "not a .zip or a folder")


def read_zip(source, name, refusal="not a .zip"):
    """{file name: bytes} of the CSV files in a .zip (a path, or its bytes as uploaded), at its
    top or in a folder inside it; BundleError naming it when it is no .zip."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with zipfile.ZipFile(source) as bundle:
            return {
                Path(info.filename).name: bundle.read(info)
                for info in bundle.infolist()
                if info.filename.endswith(".csv") and info.file_size <= MAX_FILE_BYTES
            }
    except (zipfile.BadZipFile, OSError) as error:
        raise BundleError([Problem(name, None, "", f"{refusal} ({error})")]) from None


class _Reader:
    """Rows of one file as dicts, with the problems found in them."""

    def __init__(self, name, data, problems):
        self.name, self.problems, self.rows = name, problems, []
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.fail(None, "", f"not UTF-8 (unreadable byte at position {error.start})")
            return
        try:
            table = records(text)
        except csv.Error as error:
            self.fail(None, "", f"not valid CSV: {error}")
            return
        if not table:
            self.fail(None, "", "the file is empty")
            return
        header = [cell.strip() for cell in table[0]]
        missing = [c for c in REQUIRED.get(name, ()) if c not in header]
        for column in missing:
            self.fail(1, column, "this column is missing")
        if missing:
            return
        for place, cells in data_rows(table, name.removesuffix(".csv")):
            cells = cells + [""] * (len(header) - len(cells))
            self.rows.append((place, {h: c.strip() for h, c in zip(header, cells, strict=False)}))

    def fail(self, row, column, message):
        self.problems.append(Problem(self.name, row, column, message))

    def unique(self):
        """The rows by sourcedId; a duplicate is a problem."""
        seen = {}
        for number, row in self.rows:
            key = row["sourcedId"]
            if not key:
                self.fail(number, "sourcedId", "empty")
            elif key in seen:
                self.fail(number, "sourcedId", f"“{key}” is also on {seen[key][0].ref}")
            else:
                seen[key] = (number, row)
        return seen

    def enum(self, number, row, column, allowed):
        value = row.get(column, "")
        if value not in allowed:
            self.fail(number, column, f"“{value}” is not one of {', '.join(sorted(allowed))}")
            return False
        return True


def _manifest(files, problems):
    if "manifest.csv" not in files:
        problems.append(Problem("manifest.csv", None, "", "the bundle has no manifest.csv"))
        return "", {}
    rows = list(csv.reader(io.StringIO(files["manifest.csv"].decode("utf-8-sig", "replace"))))
    values = {r[0].strip(): r[1].strip() for r in rows[1:] if len(r) >= 2}
    version = values.get("oneroster.version", "")
    if version not in ("1.1", "1.2"):
        problems.append(
            Problem("manifest.csv", None, "oneroster.version", f"“{version}” is not 1.1 or 1.2")
        )
    modes = {}
    for name in REQUIRED:
        mode = values.get(f"file.{name.removesuffix('.csv')}", "absent")
        if mode not in MODES:
            problems.append(Problem("manifest.csv", None, f"file.{name[:-4]}", f"“{mode}”?"))
            mode = "absent"
        if mode != "absent" and name not in files:
            problems.append(
                Problem(name, None, "", f"the manifest says {mode}, the file is missing")
            )
        modes[name] = mode
    return version, modes


def check(files, district_sourced_id=None):
    """The Roster in files ({name: bytes}), or BundleError listing every problem."""
    problems = []
    version, modes = _manifest(files, problems)
    for name in NEEDED:
        if modes.get(name) == "absent" and name not in files:
            problems.append(Problem(name, None, "", "the bundle needs this file"))
    if version == "1.2" and modes.get("roles.csv") == "absent":
        problems.append(Problem("roles.csv", None, "", "OneRoster 1.2 gives roles in roles.csv"))
    if problems:
        raise BundleError(problems)
    read = {name: _Reader(name, data, problems) for name, data in files.items() if name in REQUIRED}
    if problems:
        raise BundleError(problems)

    orgs = read["orgs.csv"].unique()
    for number, row in orgs.values():
        read["orgs.csv"].enum(number, row, "type", ORG_TYPES)
        read["orgs.csv"].enum(number, row, "status", STATUSES)
    districts = [k for k, (_, row) in orgs.items() if row["type"] == "district"]
    district = district_sourced_id or (districts[0] if len(districts) == 1 else "")
    if district not in orgs:
        read["orgs.csv"].fail(None, "type", "name the district (--district) or give exactly one")
    schools = {
        key: (row["name"], row.get("status", ""))
        for key, (number, row) in orgs.items()
        if row["type"] == "school" and row["parentSourcedId"] == district
    }

    users = read["users.csv"].unique()
    roles = _roles(version, read, users, orgs)
    people, learners = {}, set()
    for key, (number, row) in users.items():
        read["users.csv"].enum(number, row, "status", STATUSES)
        kinds = {role for role, _ in roles.get(key, [])}
        if kinds & {"student"} or not kinds & (PRINCIPAL_ROLES | STAFF_ROLES):
            learners.add(key)  # checked against, never kept
            continue
        if not row["email"] or "@" not in row["email"]:
            read["users.csv"].fail(number, "email", "staff need an e-mail address to sign in")
        person = Person(
            key,
            row["username"],
            row["givenName"],
            row["familyName"],
            row["email"].lower(),
            row.get("status", ""),
            row=number.ref,
        )
        for role, org in roles[key]:
            if org in schools:
                kind = "principal" if role in PRINCIPAL_ROLES else "staff"
                if person.schools.get(org) != "principal":
                    person.schools[org] = kind
        people[key] = person
    unique_emails(people, "users.csv", problems)

    classes = {}
    for key, (number, row) in read["classes.csv"].unique().items():
        read["classes.csv"].enum(number, row, "status", STATUSES)
        if row["schoolSourcedId"] not in orgs:
            read["classes.csv"].fail(number, "schoolSourcedId", "no such org in orgs.csv")
        elif row["schoolSourcedId"] in schools:
            classes[key] = RosterClass(
                key,
                row["title"],
                row["schoolSourcedId"],
                row.get("status", ""),
                grades=row.get("grades", ""),
                class_code=row.get("classCode", ""),
            )
    for number, row in read["enrollments.csv"].unique().values():
        reader = read["enrollments.csv"]
        if not reader.enum(number, row, "role", ENROLLMENT_ROLES):
            continue
        if row["classSourcedId"] not in classes and row["schoolSourcedId"] in schools:
            reader.fail(number, "classSourcedId", "no such class in classes.csv")
        if row["userSourcedId"] not in users:
            reader.fail(number, "userSourcedId", "no such user in users.csv")
        elif row["role"] == "teacher" and row["userSourcedId"] in people:
            the_class = classes.get(row["classSourcedId"])
            if the_class and row.get("status") != "tobedeleted":
                primary = row.get("primary", "").lower() == "true"
                the_class.teachers.insert(
                    0 if primary else len(the_class.teachers), row["userSourcedId"]
                )
    _dates(read.get("academicSessions.csv"))
    if problems:
        raise BundleError(problems)
    return Roster(version, district, modes, schools, people, classes)


def _roles(version, read, users, orgs):
    """user sourcedId -> [(role, org sourcedId)], from users.csv (1.1) or roles.csv (1.2)."""
    roles = {}
    if version == "1.2":
        reader = read["roles.csv"]
        for number, row in reader.unique().values():
            if not reader.enum(number, row, "role", USER_ROLES):
                continue
            if row["userSourcedId"] not in users:
                reader.fail(number, "userSourcedId", "no such user in users.csv")
            elif row["orgSourcedId"] not in orgs:
                reader.fail(number, "orgSourcedId", "no such org in orgs.csv")
            elif row.get("status") != "tobedeleted":
                roles.setdefault(row["userSourcedId"], []).append(
                    (row["role"], row["orgSourcedId"])
                )
        return roles
    reader = read["users.csv"]
    for key, (number, row) in users.items():
        if "role" not in row:
            reader.fail(1, "role", "this column is missing (OneRoster 1.1)")
            return roles
        if not reader.enum(number, row, "role", USER_ROLES):
            continue
        for org in filter(None, (o.strip() for o in row.get("orgSourcedIds", "").split(","))):
            if org not in orgs:
                reader.fail(number, "orgSourcedIds", f"“{org}” is not in orgs.csv")
            else:
                roles.setdefault(key, []).append((row["role"], org))
    return roles


def _dates(reader):
    if reader is None:
        return
    for number, row in reader.rows:
        for column in ("startDate", "endDate"):
            try:
                date.fromisoformat(row[column])
            except ValueError:
                reader.fail(number, column, f"“{row[column]}” is not a date (YYYY-MM-DD)")
