from django import template

register = template.Library()


@register.filter
def window_status(window, today):
    """open / upcoming / closed, for a Window on the given day."""
    return window.status(today)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
