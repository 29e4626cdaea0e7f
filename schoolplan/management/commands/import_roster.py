"""`manage.py import_roster PATH --district SLUG [--dry-run]`: a OneRoster CSV bundle (a .zip or
a folder) or the plain templates (schools.csv and staff.csv) into a district (schoolplan.roster).

It prints what the import changes, with counts, before it writes anything; with --dry-run it
writes nothing. Any problem in the files, or any conflict with what is stored, and nothing is
written: each problem names file, row and column. Every run is kept in the district's import log.
"""

from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schoolplan import clock
from schoolplan.models import District, PdfJobStatus, RosterImport
from schoolplan.roster import KINDS, import_roster, read_roster_at, summary
from schoolplan.roster_bundle import BundleError

SINGULAR = {
    "schools": "school",
    "accounts": "account",
    "memberships": "membership",
    "classes": "class",
}


class Command(BaseCommand):
    help = "Import a OneRoster CSV bundle (or schools.csv and staff.csv) into a district."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .zip or a folder")
        parser.add_argument("--district", required=True, help="the district's slug")
        parser.add_argument("--dry-run", action="store_true", help="show the changes only")
        parser.add_argument(
            "--district-org", help="the district's org sourcedId, if orgs.csv has several"
        )

    def handle(self, path, district, dry_run, district_org=None, **options):
        target = District.objects.filter(slug=district).first()
        if target is None:
            raise CommandError(f"No district with the slug “{district}”.")
        log = RosterImport(
            district=target, filename=Path(path).name[:255], source="", status=PdfJobStatus.DONE
        )
        try:
            source, roster = read_roster_at(path, district_org)
            log.source = source
            plan = import_roster(target, roster, dry_run=dry_run)
        except BundleError as error:
            self._refuse(log, error.problems)
        if plan.problems:
            self._refuse(log, plan.problems)
        self._print(plan, verbose=options["verbosity"] > 1)
        log.counts, log.changes = plan.counts, plan.preview()
        if not dry_run:
            log.apply_status, log.applied_counts = PdfJobStatus.DONE, plan.counts
            log.confirmed_at = log.applied_at = clock.now()
        log.save()
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary(plan.counts)}."))

    def _refuse(self, log, problems):
        log.status = PdfJobStatus.FAILED
        log.problems = [asdict(problem) for problem in problems]
        log.save()
        for problem in problems[:200]:
            self.stderr.write(str(problem))
        if len(problems) > 200:
            self.stderr.write(f"… and {len(problems) - 200} more.")
        raise CommandError(f"{len(problems)} problem(s): nothing was written.")

    def _print(self, plan, verbose):
        counts = plan.counts
        self.stdout.write(f"{'':<12}{'create':>8}{'update':>8}{'end':>8}{'skip':>8}")
        for kind in KINDS:
            row = counts[kind]
            self.stdout.write(
                f"{kind:<12}{row['create']:>8}{row['update']:>8}{row['end']:>8}{row['skip']:>8}"
            )
        if verbose:
            for change in plan.changes:
                detail = f" ({change.detail})" if change.detail else ""
                self.stdout.write(
                    f"  {change.action:<6} {SINGULAR[change.kind]}: {change.label}{detail}"
                )
