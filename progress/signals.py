"""Forget a school's cached family pages whenever something they show changes."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from meetings.models import Goal, Meeting
from plans.models import Blueprint, Initiative
from schoolplan import translations
from schoolplan.models import School

from .family import forget_family_page
from .models import Measurement, Metric, SpfSummary


def school_of_metric(metric):
    owner = metric.goal or metric.blueprint or metric.initiative or metric.essa_plan
    if owner is None:
        return None  # a CIM metric: district work, not on a family page
    return owner.blueprint.school_id if owner is metric.initiative else owner.school_id


SCHOOL_OF = {
    School: lambda school: school.pk,
    Meeting: lambda meeting: meeting.school_id,
    Goal: lambda goal: goal.school_id,
    Blueprint: lambda blueprint: blueprint.school_id,
    Initiative: lambda initiative: initiative.blueprint.school_id,
    SpfSummary: lambda summary: summary.school_id,
    Metric: school_of_metric,
    Measurement: lambda measurement: school_of_metric(measurement.metric),
}


def _forget(sender, instance, **kwargs):
    try:
        school_id = SCHOOL_OF[sender](instance)
    except ObjectDoesNotExist:
        # Deleted along with its parent, whose own signal forgets the page.
        return
    if school_id is not None:
        # After the commit, so a reader cannot cache the old page again in between.
        transaction.on_commit(lambda: forget_family_page(school_id))


def _forget_translations(sender, instance, **kwargs):
    translations.forget(instance)


def connect():
    from .family_content import FIELDS

    for model in (*FIELDS, Initiative):
        post_delete.connect(
            _forget_translations, sender=model, dispatch_uid=f"translations-del-{model.__name__}"
        )
    for model in SCHOOL_OF:
        post_save.connect(_forget, sender=model, dispatch_uid=f"family-page-{model.__name__}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"family-page-del-{model.__name__}")
