from weasyprint import HTML


def test_weasyprint_renders_a_pdf():
    # Progress reports are rendered by WeasyPrint; this proves its system libraries are there.
    pdf = HTML(string="<h1>Progress report</h1><p>Riverbend USD</p>").write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


def test_the_pdf_fetcher_serves_static_files_only():
    import pytest

    from schoolplan.pdf import PdfRenderError, static_only_fetcher

    served = static_only_fetcher("static:/css/schoolplan.css")
    assert b".status-on_track" in served["string"]
    for url in (
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://127.0.0.1:8000/admin/",
        "static:/../schoolplan/settings.py",
        "static:/no-such-file.css",
    ):
        with pytest.raises(PdfRenderError):
            static_only_fetcher(url)


def test_a_page_that_asks_for_other_files_renders_without_them():
    import io

    from django.template import engines
    from pypdf import PdfReader

    from schoolplan import pdf

    template = engines["django"].from_string(
        '<html lang="en"><head><title>{{ pdf_title }}</title></head><body><p>Safe</p>'
        '<img src="file:///etc/hostname" alt="x"><img src="http://example.com/x.png" alt="y">'
        "</body></html>"
    )

    asked, real_static_file = [], pdf._static_file

    def spy(url):
        asked.append(url)
        return real_static_file(url)

    original = pdf.render_to_string
    pdf.render_to_string = lambda name, context: template.render(context)
    pdf._static_file = spy
    try:
        data = pdf.render_pdf("inline", {}, title="Safe", variant="pdf/ua-1")
    finally:
        pdf.render_to_string, pdf._static_file = original, real_static_file
    # WeasyPrint asked for both; the fetcher refused both, and the page rendered without them.
    assert sorted(asked) == ["file:///etc/hostname", "http://example.com/x.png"]
    reader = PdfReader(io.BytesIO(data))
    assert "Safe" in reader.pages[0].extract_text()
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged for accessibility
    assert reader.metadata.title == "Safe"


def test_rendering_has_a_time_limit():
    import time

    import pytest

    from schoolplan.pdf import PdfRenderError, _time_limit

    with pytest.raises(PdfRenderError, match="longer than 1 s"), _time_limit(1):
        time.sleep(3)
