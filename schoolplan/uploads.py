"""Uploaded files live exactly as long as the record that names them: a file replaced, cleared
or whose record is deleted is removed from storage, here and nowhere else. Stored files may name
pupils (CAP assessment data): one left behind is a leak waiting for a backup.

The old file goes only after the transaction commits, so a save or delete that rolls back keeps
the file its record still names. Local disk and object storage (S3_BUCKET) behave alike: the
storage's delete removes the file or the object.

A download is handed out by `download()` only, after the view's permission check: from the local
disk the app streams the file; from object storage it redirects to a presigned URL that works for
UPLOAD_URL_SECONDS (a minute). The web node then carries no upload's bytes, and the bucket stays
private: without the app's check there is no URL, and a copied one is dead a minute later."""

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, pre_save
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def download(field_file, filename=None):
    """The response that hands field_file to someone the caller has checked may read it, named
    filename (by default the stored file's own name)."""
    from storages.backends.s3 import S3Storage  # boto3: imported when a download asks for it

    filename = filename or field_file.name.rsplit("/", 1)[-1]
    if isinstance(field_file.storage, S3Storage):
        disposition = content_disposition_header(as_attachment=True, filename=filename)
        url = field_file.storage.url(
            field_file.name,
            parameters={"ResponseContentDisposition": disposition},
            expire=settings.UPLOAD_URL_SECONDS,
        )
        return HttpResponseRedirect(url)
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=filename)


def _file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _remove_after_commit(field_file):
    storage, name = field_file.storage, field_file.name
    if name:
        # robust: storage out of reach must not turn a committed save into an error page (the
        # failure is logged, and the change stands).
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def _forget_replaced_files(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = _file_fields(sender)
    if update_fields is not None:  # a save that leaves a file column alone never removes its file
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
        if not fields:
            return
    stored = sender._default_manager.filter(pk=instance.pk).values(*[f.attname for f in fields])
    stored = stored.first()
    if stored is None:
        return
    for field in fields:
        old_name = stored[field.attname]
        new_name = getattr(instance, field.attname).name or ""
        if old_name and old_name != new_name:
            _remove_after_commit(models.fields.files.FieldFile(instance, field, old_name))


def _forget_deleted_files(sender, instance, **kwargs):
    for field in _file_fields(sender):
        _remove_after_commit(getattr(instance, field.attname))


def connect():
    """Called once from SchoolplanConfig.ready(), for every installed model with a file."""
    for model in apps.get_models():
        if _file_fields(model):
            pre_save.connect(_forget_replaced_files, sender=model, weak=False)
            post_delete.connect(_forget_deleted_files, sender=model, weak=False)
