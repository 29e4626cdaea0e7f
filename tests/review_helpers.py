"""Reading the CIM review page's rows as a browser would send them (progress/views_review.py)."""

from html.parser import HTMLParser

from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


class _RowForm(HTMLParser):
    """The fields one form sends: hidden and text inputs, ticked boxes, textareas, selects."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []  # (name, value), in page order
        self.textarea = None
        self.select = None
        self.option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs and tag != "fieldset":
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind != "submit":
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # The parser keeps the newline after <textarea> that a browser drops.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            self.fields.append((name, chosen if chosen is not None else first))
            self.select = None


def row_fields(html, form_id):
    """{name: value or [values]} the row's form would send as it is on the page."""
    parser = _RowForm(form_id)
    parser.feed(html)
    fields = {}
    for name, value in parser.fields:
        if name in fields:
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    if not parser.fields:
        raise AssertionError(f"No form {form_id} on the page")
    return fields


def page(client, review):
    response = client.get(reverse("review_record", args=[review.pk]))
    assert response.status_code == 200
    return response.content.decode()


def activity_url(review, activity):
    return reverse("review_activity", args=[review.pk, activity.pk])


def loaded_activity(client, review, activity):
    """What the activity's row sends as the page shows it now."""
    return row_fields(page(client, review), f"row-activity-{activity.pk}")


def loaded(client, review, row):
    """What the row ("attendance", "minutes") sends as the page shows it now."""
    return row_fields(page(client, review), f"row-{row}")
