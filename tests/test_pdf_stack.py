from weasyprint import HTML


def test_weasyprint_renders_a_pdf():
    # Progress reports are rendered by WeasyPrint; this proves its system libraries are there.
    pdf = HTML(string="<h1>Progress report</h1><p>Riverbend USD</p>").write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
