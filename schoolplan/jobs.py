"""Work done in the worker, claimed once (PDF jobs, progress-report renders, roster imports): a
task may be delivered twice, and only the delivery that claims the row does the work."""

from django.db import transaction

from .models import PdfJobStatus


def claim(model, pk, field="status"):
    """Move the row's field from waiting to running under a row lock, and return the row; None
    if there is no such row or another delivery of the task has it already."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None or getattr(row, field) != PdfJobStatus.WAITING:
            return None
        setattr(row, field, PdfJobStatus.RENDERING)
        row.save(update_fields=[field])
    return row
