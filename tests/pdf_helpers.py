"""What every PDF the app makes must be: tagged PDF/UA with its title and language."""

import io
import shutil
import subprocess
import tempfile

from pypdf import PdfReader

from .conftest import IN_CI


def assert_tagged(pdf, title, language="en"):
    """pdf (bytes) is tagged (a structure tree, MarkInfo Marked), says its language and shows
    title as its name; and Poppler's pdfinfo agrees (required in CI, where .ci/run installs it)."""
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == language
    assert reader.metadata.title == title
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        assert not IN_CI, "pdfinfo (poppler-utils) is missing"
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run([pdfinfo, handle.name], capture_output=True, text=True, check=True)
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in info.stdout.splitlines())
    )
    assert fields["Tagged"] == "yes" and fields["Title"] == title, info.stdout
