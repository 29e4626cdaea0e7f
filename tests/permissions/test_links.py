"""No dead ends: every link a demo login is shown opens for that login (no 403, 404 or 500).
A page that offers a link its reader may not follow is a permissions slip in the template
(the view would refuse, but the page should not have offered it)."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from demo.management.commands.demo_data import PEOPLE
from schoolplan.models import User

from ..clock import YEAR, on

pytestmark = pytest.mark.django_db

# Every demo login, CIM roles, each school's principal and the superuser included.
LOGINS = ["admin", *dict.fromkeys(person[0] for person in PEOPLE)]
NOT_PAGES = re.compile(r"logout|\.pdf|\.csv|\.ics|format=|/admin/|export|feed|download")
PER_PATTERN = 2  # addresses per URL pattern: a list of 50 meetings is one kind of page


def crawl(client):
    seen, per_pattern, dead_ends, fetched = set(), Counter(), [], 0
    queue = [("/", None)]
    while queue:
        url, found_on = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(url.split("?")[0]).url_name
        except Resolver404:
            dead_ends.append((404, url, found_on))
            continue
        per_pattern[name] += 1
        if per_pattern[name] > PER_PATTERN:
            continue
        response = client.get(url)
        fetched += 1
        if response.status_code >= 400:
            dead_ends.append((response.status_code, url, found_on))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if href.startswith(("/static/", "/families/")) or NOT_PAGES.search(href):
                continue
            if href not in seen:
                queue.append((href, url))
    return fetched, len(seen), dead_ends


# A day in the school year, and the summer between two years (the next one not yet started).
@pytest.mark.parametrize("day", [on(12, 1), on(7, 15, start_year=YEAR + 1)], ids=["Dec", "Jul"])
def test_every_link_a_demo_login_is_shown_opens(client, clock, capsys, day):
    clock.set(day)
    call_command("demo_data", stdout=StringIO())
    total, checked, found = 0, 0, {}
    for username in LOGINS:
        client.force_login(User.objects.get(username=username))
        pages, links, dead_ends = crawl(client)
        total, checked = total + pages, checked + links
        if dead_ends:
            found[username] = dead_ends
    with capsys.disabled():
        dead = sum(len(ends) for ends in found.values())
        print(
            f"\n[links] {len(LOGINS)} logins, {total} pages followed, {checked} links checked, "
            f"dead ends: {dead} (logins with one: {len(found)})"
        )
    assert found == {}
