from django import template

register = template.Library()


@register.filter
def window_status(window, today):
    """open / upcoming / closed, for a Window on the given day."""
    return window.status(today)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def user_can(context, ability_name, obj):
    """{% user_can "view_school" school as may_view %}: the permission layer, in a template."""
    from schoolplan.permissions import can

    return can(context["request"].user, ability_name, obj)


@register.simple_tag
def reminders_about(*subjects):
    """{% reminders_about "meeting:12" "action:3" as sent %}: the reminders recorded about them."""
    from schoolplan.models import Reminder

    return list(
        Reminder.objects.filter(subject__in=[str(s) for s in subjects])
        .select_related("recipient")
        .order_by("-created_at")[:50]
    )


@register.filter
def subject_key(obj, kind):
    """{{ meeting|subject_key:"meeting" }} -> "meeting:12", the key reminders use."""
    return f"{kind}:{obj.pk}"


@register.filter
def long_date(value):
    """A day as the active language writes it: the weekday, then its own DATE_FORMAT (Django's
    localized formats): "Monday, Dec. 14, 2026", "lunes, 14 de diciembre de 2026"."""
    if not value:
        return ""
    from django.utils.formats import date_format
    from django.utils.timezone import template_localtime
    from django.utils.translation import pgettext

    value = template_localtime(value)  # a moment: its day in the zone the page is shown in
    # The separator is the language's own (Arabic writes "،").
    return pgettext("a weekday, then a date", "%(weekday)s, %(date)s") % {
        "weekday": date_format(value, "l"),
        "date": date_format(value, "DATE_FORMAT"),
    }


@register.simple_tag
def family_text(obj, name, breaks=False):
    """A field of obj as families read it (schoolplan.translations.localize): its translation,
    or its English marked as English and as not yet translated. breaks: keep line breaks."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import conditional_escape, format_html
    from django.utils.translation import gettext

    text = conditional_escape(getattr(obj, name) or "")
    if breaks:
        text = linebreaksbr(text)
    if name in getattr(obj, "untranslated", ()):
        return format_html(
            '<span lang="en" dir="ltr">{}</span> <span class="untranslated">({})</span>',
            text,
            gettext("not yet translated"),
        )
    return text


@register.filter
def spoken_list(items):
    """Items joined the way the active language lists them (Arabic: "، ")."""
    from django.utils.translation import pgettext

    return pgettext("between the items of a list", ", ").join(str(item) for item in items)


@register.simple_tag
def meeting_when(meeting):
    """A meeting's day and its start and end time, as the active language writes them."""
    from django.utils.formats import time_format
    from django.utils.timezone import template_localtime
    from django.utils.translation import pgettext

    return pgettext("a day, then a time span", "%(day)s, %(start)s–%(end)s") % {
        "day": long_date(meeting.starts_at),
        "start": time_format(template_localtime(meeting.starts_at), "TIME_FORMAT"),
        "end": time_format(template_localtime(meeting.ends_at), "TIME_FORMAT"),
    }
