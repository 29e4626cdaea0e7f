"""Locust users of bench/load_bench.py (run by it, headless, in its own process: locust patches
the standard library with gevent on import, so it never enters the Django or pytest process).

LOAD_BENCH_DATA names the JSON file of logins and ids that load_bench.py wrote. Users:

- FamilyUser (most of the load, anonymous): a school's families' page in English or Spanish,
  and a meeting's .ics from it;
- PrincipalUser: their school's page, meetings and CPM year; schedules a Check In (the form's
  CSRF token read from the page; the answer must be the redirect to the new meeting);
- CimMemberUser: opens a monthly review and records it (notes, a measurement, minutes);
- DistrictStaffUser: the district page and the compliance dashboard.

BaselineUser is the second run's: the same number of users asking for /health/ (one query).
Every request is named "<who>: <what>" so the report can group them.
"""

import html as html_text
import itertools
import json
import os
import random
import re

from locust import HttpUser, constant, task

DATA = json.loads(open(os.environ["LOAD_BENCH_DATA"]).read())  # noqa: SIM115
WAIT = float(os.environ.get("LOAD_BENCH_WAIT", "0"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_principals = itertools.cycle(DATA["principals"])
_reviews = itertools.count()


def row_fields(html, dom_id):
    """The hidden fields of one review row's form (progress/views_review.py)."""
    start = html.find(f'id="{dom_id}"')
    end = html.find("</form>", start)
    fields = HIDDEN.findall(html[start:end]) if start >= 0 else []
    return {name: html_text.unescape(value) for name, value in fields}


def csrf(response):
    match = CSRF.search(response.text)
    return match.group(1) if match else ""


SUBMISSION = re.compile(r'name="submission" value="([0-9a-f]+)"')


def submission(response):
    """The form's one-time token: each form shown schedules once, as in a browser."""
    match = SUBMISSION.search(response.text)
    return match.group(1) if match else ""


class SignedIn(HttpUser):
    abstract = True
    wait_time = constant(WAIT)
    who = ""

    def sign_in(self, username):
        page = self.client.get("/accounts/login/", name=f"{self.who}: sign-in page")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": DATA["password"],
                "csrfmiddlewaretoken": csrf(page),
            },
            name=f"{self.who}: sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")


class FamilyUser(HttpUser):
    weight = 10
    wait_time = constant(WAIT)

    @task(4)
    def english_page(self):
        school = random.choice(DATA["schools"])
        self.client.get(f"/families/{school['slug']}/", name="family: page (en)")

    @task(3)
    def spanish_page(self):
        school = random.choice(DATA["schools"])
        self.client.get(f"/families/{school['slug']}/es/", name="family: page (es)")

    @task(2)
    def calendar_file(self):
        school = random.choice(DATA["schools_with_meetings"])
        meeting = random.choice(school["meetings"])
        self.client.get(
            f"/families/{school['slug']}/meetings/{meeting}.ics", name="family: meeting .ics"
        )


class PrincipalUser(SignedIn):
    weight = 3
    who = "principal"

    def on_start(self):
        self.me = next(_principals)
        self.sign_in(self.me["username"])

    @task(3)
    def school(self):
        self.client.get(f"/schools/{self.me['school']}/", name="principal: school page")

    @task(2)
    def meetings(self):
        self.client.get(f"/schools/{self.me['school']}/meetings/", name="principal: meetings")

    @task(2)
    def cpm_year(self):
        self.client.get(f"/schools/{self.me['school']}/cpm/", name="principal: CPM year")

    @task(1)
    def schedule_check_in(self):
        url = f"/schools/{self.me['school']}/cpm/schedule/"
        form = self.client.get(f"{url}?stage=check_in", name="principal: schedule form")
        with self.client.post(
            url,
            data={
                "csrfmiddlewaretoken": csrf(form),
                "submission": submission(form),
                # Random days meet: a principal who means a second Check In that day says so.
                "confirm_repeat": "on",
                # Later in the year a random day may be past: the principal records it late.
                "confirm_record_late": "on",
                "stage": "check_in",
                "title": "",
                "date": f"{DATA['check_in_year']}-0{random.randint(1, 3)}-{random.randint(10, 28)}",
                "start_time": "17:30",
                "end_time": "19:00",
                "place": "Library",
                "languages_offered": ["en", "es"],
            },
            name="principal: schedule CPM (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/meetings/" not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"scheduling answered {response.status_code}, not the meeting")


class CimMemberUser(SignedIn):
    weight = 1
    who = "cim"

    def on_start(self):
        # One review each, as a team records its own month: no two users edit the same record.
        self.review = DATA["reviews"][next(_reviews) % len(DATA["reviews"])]
        self.sign_in(DATA["cim_members"][random.randrange(len(DATA["cim_members"]))])

    @task
    def record_review(self):
        # The review saves row by row (progress/views_review.py): each activity's row, then the
        # minutes, each naming the version the page showed.
        url = f"/cim/reviews/{self.review}/"
        page = self.client.get(url, name="cim: review page")
        for activity in DATA["activities"]:
            # As a browser sends it: the row's hidden fields (its version, what each box showed
            # when it loaded), then what this person typed.
            data = row_fields(page.text, f"row-activity-{activity}")
            data.update(
                {
                    "barriers": f"Substitute cover ({random.randint(1, 99)})",
                    "next_steps": "Coach visits in every grade",
                }
            )
            for metric in DATA["metrics"]:
                if f"value-{metric}_was" in data:
                    data[f"value-{metric}"] = str(random.randint(10, 40))
            self._post(f"{url}activities/{activity}/", data, "cim: record an activity (POST)")
        data = row_fields(page.text, "row-minutes")
        data["text"] = f"Reviewed the plan; {random.randint(1, 99)} actions discussed."
        self._post(f"{url}minutes/", data, "cim: record the minutes (POST)")

    def _post(self, url, data, name):
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"recording answered {response.status_code}")


class DistrictStaffUser(SignedIn):
    weight = 1
    who = "district"

    def on_start(self):
        self.sign_in(DATA["district_staff"])

    @task(2)
    def district(self):
        self.client.get(f"/districts/{DATA['district']}/", name="district: district page")

    @task(1)
    def dashboard(self):
        self.client.get(
            f"/districts/{DATA['district']}/compliance/", name="district: compliance dashboard"
        )


class BaselineUser(HttpUser):
    """The second run: the minimal view, same users, same duration."""

    weight = 1
    wait_time = constant(WAIT)

    @task
    def health(self):
        self.client.get("/health/", name="baseline: /health/")
