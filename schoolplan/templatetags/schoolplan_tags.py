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
