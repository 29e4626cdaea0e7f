# The OneRoster files are written as they come: their header lines are long.
# ruff: noqa: E501
"""A small OneRoster 1.1 bundle (Riverbend USD: two schools, three staff, a pupil, two classes)
for the roster tests; bundle_11(**{"users.csv": ...}) replaces a file, None drops it."""

import io
import zipfile

MANIFEST_11 = """propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.orgs,bulk
file.users,bulk
file.classes,bulk
file.enrollments,bulk
file.academicSessions,bulk
file.courses,absent
file.roles,absent
"""
ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,,,Riverbend USD,district,,
s1,,,Valdez Elementary,school,,d1
s2,,,Lincoln Middle,school,,d1
"""
USERS_11 = """sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
u1,,,true,s1,administrator,avaldez,,Ana,Valdez,,,Ana.Valdez@riverbend.example.org,,,,,
u2,,,true,"s1,s2",teacher,slee,,Sam,Lee,,,sam.lee@riverbend.example.org,,,,,
u3,,,true,s1,aide,pnat,,Priya,Natarajan,,,priya@riverbend.example.org,,,,,
p1,,,true,s1,student,jdoe,,Jane,Doe,,,,,,,3,
"""
CLASSES = """sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
c1,,,3B,03,,3B,homeroom,,s1,t1,,,
c2,,,Algebra 1,08,,ALG1,scheduled,,s2,t1,,,
"""
ENROLLMENTS = """sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e1,,,c1,s1,u2,teacher,true,,
e2,,,c1,s1,u3,teacher,false,,
e3,,,c1,s1,p1,student,false,,
e4,,,c2,s2,u2,teacher,true,,
"""
SESSIONS = """sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
t1,,,2026-27,schoolYear,2026-08-01,2027-06-30,,2027
"""


def bundle_11(**changes):
    files = {
        "manifest.csv": MANIFEST_11,
        "orgs.csv": ORGS,
        "users.csv": USERS_11,
        "classes.csv": CLASSES,
        "enrollments.csv": ENROLLMENTS,
        "academicSessions.csv": SESSIONS,
    }
    files.update(changes)
    return {name: text.encode() for name, text in files.items() if text is not None}


def as_zip(files):
    """The bundle as the bytes of a .zip, as a district uploads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
