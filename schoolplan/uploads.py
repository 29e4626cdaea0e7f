"""Uploaded files live exactly as long as the record that names them: a file replaced, cleared
or whose record is deleted is removed from storage, here and nowhere else. Stored files may name
pupils (CAP assessment data): one left behind is a leak waiting for a backup.

The old file goes only after the transaction commits, so a save or delete that rolls back keeps
the file its record still names."""

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, pre_save


def _file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _remove_after_commit(field_file):
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


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
