"""The district's roster import page (issue 21): upload, the dry run's preview, confirm, the
import's progress, and the log of every import. District staff only (MANAGE_DISTRICT)."""

import io
import zipfile

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import District, PdfJobStatus, RosterImport
from .permissions import MANAGE_DISTRICT, get_visible_or_404
from .roster import ACTIONS, KINDS
from .roster_jobs import confirm, preview_roster_import, progress_of

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
IMPORTS_PER_PAGE = 20


class RosterUploadForm(forms.Form):
    bundle = forms.FileField(
        label="OneRoster bundle (.zip)",
        required=False,
        help_text="The CSV bundle your SIS exports: manifest.csv, orgs.csv, users.csv, …",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    schools_csv = forms.FileField(
        label="schools.csv",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    staff_csv = forms.FileField(
        label="staff.csv",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean(self):
        data = super().clean()
        bundle, schools, staff = data.get("bundle"), data.get("schools_csv"), data.get("staff_csv")
        for name, upload in (("bundle", bundle), ("schools_csv", schools), ("staff_csv", staff)):
            if upload and upload.size > MAX_UPLOAD_BYTES:
                limit = MAX_UPLOAD_BYTES // (1024 * 1024) or 1
                self.add_error(name, f"The file is larger than {limit} MB.")
        if self.errors:
            return data
        if bundle and (schools or staff):
            raise forms.ValidationError("Upload either a OneRoster bundle or the two CSV files.")
        if bundle:
            content = bundle.read()
            if not zipfile.is_zipfile(io.BytesIO(content)):
                self.add_error("bundle", "This is not a .zip file.")
                return data
            data["zip"], data["filename"] = content, bundle.name
        elif schools and staff:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("schools.csv", schools.read())
                archive.writestr("staff.csv", staff.read())
            data["zip"], data["filename"] = buffer.getvalue(), f"{schools.name}, {staff.name}"
        elif schools or staff:
            missing = "staff_csv" if schools else "schools_csv"
            self.add_error(missing, "Upload schools.csv and staff.csv together.")
        else:
            raise forms.ValidationError(
                "Choose a OneRoster bundle (.zip), or schools.csv and staff.csv."
            )
        return data


def _district(request, pk):
    return get_visible_or_404(District.objects.all(), request.user, MANAGE_DISTRICT, pk=pk)


def roster_imports(request, pk):
    district = _district(request, pk)
    post = request.method == "POST"
    form = RosterUploadForm(request.POST, request.FILES) if post else RosterUploadForm()
    if post and form.is_valid():
        row = RosterImport.objects.create(
            district=district,
            filename=form.cleaned_data["filename"][:255],
            bundle=form.cleaned_data["zip"],
            uploaded_by=request.user,
        )
        transaction.on_commit(lambda: preview_roster_import.delay(row.pk))
        return redirect(row)
    imports = district.roster_imports.select_related("uploaded_by", "confirmed_by").defer(
        "bundle", "roster"
    )
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "schoolplan/roster_imports.html",
        {"district": district, "form": form, "page": page, "kinds": KINDS},
    )


def _import(request, pk):
    row = get_visible_or_404(
        RosterImport.objects.select_related("district", "uploaded_by", "confirmed_by").defer(
            "bundle", "roster"
        ),
        request.user,
        MANAGE_DISTRICT,
        pk=pk,
    )
    return row


def roster_import(request, pk):
    row = _import(request, pk)
    context = {
        "row": row,
        "district": row.district,
        "kinds": KINDS,
        "actions": ACTIONS,
        "progress": progress_of(row) if row.apply_status == PdfJobStatus.RENDERING else None,
        "changes_by_kind": {
            kind: [change for change in row.changes if change["kind"] == kind] for kind in KINDS
        },
    }
    template = "schoolplan/_roster_import.html" if request.htmx else "schoolplan/roster_import.html"
    return render(request, template, context)


@require_POST
def roster_import_confirm(request, pk):
    row = _import(request, pk)
    if not confirm(row, request.user):
        messages.warning(request, "This import was confirmed already, or cannot be imported.")
    return redirect(row)
