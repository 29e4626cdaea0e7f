"""Benchmark: rendering a 20-page CIM progress report.

Compares our whole path (chart drawing, template, WeasyPrint with the safe URL fetcher, time
limit and PDF/UA tagging: progress.reports.render) with WeasyPrint alone rendering the very
same HTML from a file, measured side by side in the same run. Prints the median times, our
overhead as a ratio, and pages per second.

Run: uv run python bench/report_bench.py [--repeat N]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolplan.settings")

import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402
from timing import median_time  # noqa: E402  (bench/timing.py)
from weasyprint import HTML  # noqa: E402

from progress.reports import render as report_render  # noqa: E402


def synthetic_content(strategies=10, activities=3):
    """Frozen report content of the shape build_content makes, big enough for ~20 pages."""
    values = [
        {"date": f"2026-{month:02d}-15", "value": f"{30 + month * 1.5:.2f}"}
        for month in range(7, 13)
    ]
    return {
        "lea": {
            "name": "Benchmark Unified School District",
            "status": "Intensive level 2",
            "intensive": True,
            "selpa": "Benchmark SELPA",
            "consultant": "A. Consultant",
        },
        "period": {
            "label": "Quarter 2",
            "year": "2026-27",
            "starts": "2026-10-01",
            "ends": "2026-12-31",
            "due": "2027-01-15",
        },
        "version": 1,
        "corrects": None,
        "prepared_by": "Benchmark Lead",
        "signed_off_by": "Benchmark Lead",
        "signed_off_at": "2027-01-10T10:00:00+00:00",
        "summary": "A summary of the period. " * 20,
        "reviews_held": ["2026-10-14", "2026-11-18", "2026-12-09"],
        "routing": "Intensive: the report goes to the CDE FMTA consultant.",
        "recipients": [],
        "strategies": [
            {
                "id": s,
                "title": f"High-Leverage Strategy number {s} with a realistic, longish title",
                "description": "What the strategy does and why. " * 6,
                "activities": [
                    {
                        "title": f"Activity {s}.{a}: coach teams on the routine",
                        "owner": "A. Owner",
                        "status": "In progress",
                        "reviewed": "2026-12-09",
                        "outcomes": [
                            {
                                "description": f"Outcome {s}.{a}: students at benchmark",
                                "metric": {
                                    "name": f"At benchmark {s}.{a}",
                                    "unit": "%",
                                    "baseline": "30.00",
                                    "baseline_date": "2026-07-01",
                                    "target": "45.00",
                                    "target_date": "2027-06-30",
                                    "direction": "up",
                                    "values": values,
                                    "in_period": values[3:],
                                },
                            }
                        ],
                    }
                    for a in range(activities)
                ],
                "barriers": "Staffing and scheduling. " * 8,
                "next_steps": "Hire and re-plan. " * 8,
                "ta_sessions": [{"date": "2026-11-02", "provider": "TA", "topic": "Coaching"}],
            }
            for s in range(1, strategies + 1)
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    content = synthetic_content()
    html = render_to_string(
        "progress/report_pdf.html",
        {**report_render.pdf_context(content), "pdf_title": "Benchmark", "pdf_author": "Benchmark"},
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        path.write_text(html, encoding="utf-8")
        report_render.render(content)  # warm up fonts and caches for both
        ours, pdf = median_time(lambda: report_render.render(content), args.repeat)
        baseline, _ = median_time(
            lambda: HTML(filename=str(path)).write_pdf(pdf_variant="pdf/ua-1"), args.repeat
        )
        pages = len(HTML(filename=str(path)).render().pages)
    print(f"pages: {pages}  (PDF {len(pdf) / 1024:.0f} KiB)")
    print(f"ours (charts + template + safe WeasyPrint, PDF/UA): {ours:.3f} s")
    print(f"baseline (WeasyPrint on the same HTML file, PDF/UA):  {baseline:.3f} s")
    print(f"overhead ratio ours/baseline: {ours / baseline:.2f} (medians of {args.repeat} runs)")
    print(f"pages per second: ours {pages / ours:.1f}, baseline {pages / baseline:.1f}")


if __name__ == "__main__":
    main()
