"""Benchmark: the compliance dashboard's PDF at 1,000 schools (issue 20).

Generates a district of 1,000 schools with a full school year (generate_district) in a throw-away
SQLite database, then measures side by side, in the same run:
  - ours: the worker's whole job (schoolplan.pdf_jobs.run_pdf_job: the dashboard's data for
    every school x requirement, the template, WeasyPrint, storing the PDF), and
  - the baseline: WeasyPrint alone on the very same HTML string (what no code of ours can
    beat: the floor),
and prints the ratio ours/WeasyPrint (medians), the PDF's pages and size. No figure is asserted
anywhere; the point is to see what our part costs on top of the renderer.

Run: uv run python bench/compliance_pdf_bench.py [--schools 1000] [--repeat 3] [--quick]
"""

import argparse
import io

from scratch import setup_django  # noqa: E402  (bench/scratch.py)

setup_django()

from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from timing import median_time  # noqa: E402  (bench/timing.py)

from demo.management.commands.generate_district import generate  # noqa: E402
from progress import views_compliance  # noqa: E402
from schoolplan import clock, pdf, pdf_jobs  # noqa: E402
from schoolplan.models import Membership, PdfJob, User  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 schools, 2 repetitions")
    args = parser.parse_args()
    if args.quick:
        args.schools, args.repeat = 100, 2
    call_command("migrate", verbosity=0)
    district, year = generate(args.schools, label="bench")
    staff = User.objects.create(username="bench-staff")
    Membership.objects.create(user=staff, role="district_staff", district=district)
    params = {"district": district.pk, "query": {"year": str(year.start_year)}}

    def ours():
        job = PdfJob.objects.create(kind="compliance", params=params, requested_by=staff)
        job = pdf_jobs.run_pdf_job(job.pk)
        assert job.status == "done", job.error
        return bytes(job.pdf)

    # The same HTML the job renders, built once, for WeasyPrint alone.
    query = QueryDict(mutable=True)
    query["year"] = str(year.start_year)
    with clock.zone(district):
        today = clock.today(district)
        _, shown, between = views_compliance._page_parts(district, staff, query, today)
        context = views_compliance.page_context(
            district, shown, query, staff, today, fmt="pdf", between=between
        )
        html = render_to_string(
            "progress/compliance_pdf.html",
            {**context, "pdf_title": "Compliance", "pdf_author": district.name},
        )

    def weasyprint_alone():
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=pdf._fetcher()).write_pdf(pdf_variant="pdf/ua-1")

    document = ours()  # warm up both
    weasyprint_alone()
    ours_time, _ = median_time(ours, args.repeat)
    base_time, _ = median_time(weasyprint_alone, args.repeat)
    pages = len(PdfReader(io.BytesIO(document)).pages)
    print(f"district: {args.schools} schools; PDF: {pages} pages, {len(document) // 1024} KiB")
    print(f"ours (data + template + WeasyPrint + storing, in the worker): {ours_time:.2f} s")
    print(f"WeasyPrint alone on the same HTML: {base_time:.2f} s")
    print(f"ratio ours/WeasyPrint: {ours_time / base_time:.2f} (medians of {args.repeat})")


if __name__ == "__main__":
    main()
