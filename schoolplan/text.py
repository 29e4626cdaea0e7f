"""Text the app builds from what people typed (an agenda line from a goal, a meeting title from
a class name, an e-mail subject from a school's name) is cut to its column before it is saved:
PostgreSQL refuses a value one character too long, and that refusal is a 500 no retry can fix.
One helper, reading the column's own length, so the limit is never written twice."""


def fit(model, field_name, text):
    """text, cut with "…" to the max_length of model.field_name."""
    text = str(text)
    limit = model._meta.get_field(field_name).max_length
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
