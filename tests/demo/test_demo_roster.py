"""The demo's sample OneRoster bundle (demo/roster): its zip is its folder, and it imports into
the demo's Riverbend as the README says, leaving the demo's other people their roles."""

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from schoolplan.models import District, Membership, User
from schoolplan.roster import import_roster, read_roster_at

from ..clock import on

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "roster"


def test_the_zip_holds_the_folder():
    folder = {p.name: p.read_bytes() for p in (SAMPLE / "riverbend-oneroster").glob("*.csv")}
    with zipfile.ZipFile(SAMPLE / "riverbend-oneroster.zip") as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert zipped == folder


def test_the_sample_links_the_demo_s_people_and_adds_the_rest(clock):
    clock.set(on(10, 1))
    call_command("demo_data", stdout=StringIO())
    district = District.objects.get(slug="riverbend-usd")
    current = Membership.objects.count()
    _, roster = read_roster_at(SAMPLE / "riverbend-oneroster.zip")
    plan = import_roster(district, roster, dry_run=False)
    assert plan.problems == []
    counts = plan.counts
    assert counts["schools"] == {"create": 0, "update": 3, "end": 0, "skip": 0}  # linked
    assert counts["accounts"] == {"create": 5, "update": 2, "end": 0, "skip": 0}
    assert counts["memberships"]["end"] == 0  # a delta: nobody else loses a role
    assert counts["classes"]["create"] == 5
    assert Membership.objects.count() == current + counts["memberships"]["create"]
    assert User.objects.get(username="principal").sourced_id == "rb-t-1001"
    assert not User.objects.filter(sourced_id__startswith="rb-s-").exists()
