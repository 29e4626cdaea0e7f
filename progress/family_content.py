"""What a school's families read, in their language (issue 22, part 1): the public words of the
upcoming community meetings, the goals, and the published Blueprint. The families' pages, the
calendar files, the flyers and the messenger texts localize these objects
(schoolplan.translations); the translations page lists the same ones for the school's editors.
One list, so what families see and what editors are asked to translate never disagree."""

from dataclasses import dataclass, field

from meetings.models import FAMILY_MEETING_TYPES, Goal, Meeting, MeetingStatus
from plans.models import Blueprint, PublishStatus
from schoolplan import clock, translations

from .models import Metric

# The fields families read, per model (the others are staff's words).
FIELDS = {
    Meeting: ("title", "place", "description"),
    Goal: ("text",),
    Blueprint: ("theory_of_action",),
    Metric: ("name",),
}


def _fields(obj):
    from plans.models import Initiative

    if isinstance(obj, Initiative):
        return ("title", "description")
    return FIELDS[type(obj)]


def localize(objects, language):
    """Each object's words in language, in memory (see schoolplan.translations.localize)."""
    translations.localize([(obj, _fields(obj)) for obj in objects], language)


def localize_blueprint(blueprint, sections, language):
    objects = [blueprint]
    for section in sections:
        for goal in section["goals"]:
            objects += [goal, *goal.metrics.all()]
        for initiative in section["initiatives"]:
            objects += [initiative, *initiative.metrics.all()]
        objects += section["measures"]
    localize(objects, language)


def published_blueprint(school):
    return (
        Blueprint.objects.filter(school=school, status=PublishStatus.PUBLISHED)
        .select_related("school_year")
        .order_by("-school_year__start_year")
        .first()
    )


def upcoming_meetings(school, limit=10):
    """The community meetings families see: planned, not over, soonest first."""
    return list(
        Meeting.objects.filter(
            school=school,
            meeting_type__in=FAMILY_MEETING_TYPES,
            status=MeetingStatus.PLANNED,
            ends_at__gte=clock.now(),
        ).order_by("starts_at")[:limit]
    )


@dataclass
class Item:
    """One object families read, for the translations page: its fields' English and, per
    language, the stored translation and its state."""

    group: str
    label: str
    obj: object
    fields: tuple
    english: dict = field(default_factory=dict)  # field -> English


def family_items(school):
    """Everything of the school families read, grouped as the families' page shows it."""
    from plans.views_school import blueprint_sections

    items = [
        Item("Upcoming community meetings", meeting.title, meeting, FIELDS[Meeting])
        for meeting in upcoming_meetings(school)
    ]
    blueprint = published_blueprint(school)
    if blueprint is not None:
        sections = blueprint_sections(blueprint)
        for section in sections:
            for goal in section["goals"]:
                items.append(Item("Goals", goal.text, goal, FIELDS[Goal]))
                items += [Item("Goals", m.name, m, FIELDS[Metric]) for m in goal.metrics.all()]
        if blueprint.theory_of_action:
            items.append(Item("School Blueprint", "Theory of action", blueprint, FIELDS[Blueprint]))
        for section in sections:
            for initiative in section["initiatives"]:
                items.append(
                    Item("School Blueprint", initiative.title, initiative, _fields(initiative))
                )
                items += [
                    Item("School Blueprint", m.name, m, FIELDS[Metric])
                    for m in initiative.metrics.all()
                ]
            items += [
                Item("School Blueprint", m.name, m, FIELDS[Metric]) for m in section["measures"]
            ]
    for item in items:
        item.english = {name: getattr(item.obj, name) or "" for name in item.fields}
        item.fields = tuple(name for name in item.fields if item.english[name].strip())
    return [item for item in items if item.fields]
