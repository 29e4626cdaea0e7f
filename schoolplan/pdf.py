"""Rendering PDFs with WeasyPrint, safely: the renderer reads the project's own static files
and nothing else (no network, no file:// paths), and it gets a time limit."""

import mimetypes
import signal
import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_PREFIX = "static:/"
RENDER_SECONDS = 60


class PdfRenderError(Exception):
    pass


def _static_file(url):
    """The bytes and type of `static:/css/print.css`; PdfRenderError for any other URL."""
    if not url.startswith(STATIC_PREFIX):
        raise PdfRenderError(f"PDF rendering may not fetch {url[:80]!r}")
    relative = url[len(STATIC_PREFIX) :].lstrip("/")
    if ".." in relative.split("/"):
        raise PdfRenderError("PDF rendering may not leave the static files")
    path = finders.find(relative)
    if not path:
        raise PdfRenderError(f"No static file {relative!r}")
    with open(path, "rb") as handle:
        return handle.read(), mimetypes.guess_type(path)[0] or "application/octet-stream"


def static_only_fetcher(url):
    """What the fetcher serves for url, as a dict: {"string": bytes, "mime_type": ...}."""
    data, mime_type = _static_file(url)
    return {"string": data, "mime_type": mime_type, "redirected_url": url}


def _fetcher():
    """WeasyPrint's URL fetcher, limited to the static files: no network, no file:// paths.
    A refused URL is left out of the document (WeasyPrint warns), never fetched."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            data, mime_type = _static_file(url)
            return URLFetcherResponse(url, data, headers={"Content-Type": mime_type})

    return StaticOnlyFetcher(fail_on_errors=False)


@contextmanager
def _time_limit(seconds):
    # SIGALRM works only in the main thread (a Celery prefork worker or a test); elsewhere the
    # worker's own time limit applies.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise PdfRenderError(f"PDF rendering took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Every PDF the app makes is tagged PDF/UA (structure a screen reader follows, the title shown
# as the window's name, the language from the template's <html lang>): some go to the state.
DEFAULT_VARIANT = "pdf/ua-1"


def render_pdf(template, context, *, title, author="", variant=DEFAULT_VARIANT):
    """The template rendered to PDF bytes, with the document's title and author set.

    variant: a PDF variant WeasyPrint knows; PDF/UA-1 (tagged for accessibility) by default."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf_title": title, "pdf_author": author})
    with _time_limit(getattr(settings, "PDF_RENDER_SECONDS", RENDER_SECONDS)):
        document = HTML(string=html, url_fetcher=_fetcher())
        return document.write_pdf(pdf_variant=variant) if variant else document.write_pdf()
