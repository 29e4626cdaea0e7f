"""Adding, editing and removing the items of a school plan document, and its history.

One set of views for the ESSA action plan, the Blueprint and the cadre (plans.documents). The
document is fetched through the permission layer (404 outside the user's scope), the item
inside the document (404 if the id belongs to another plan), then the edit ability is required.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import clock
from schoolplan.forms import show_errors, show_theirs
from schoolplan.permissions import require
from schoolplan.rows import day_and_time

from . import services
from .documents import DOCUMENTS
from .models import PlanChange


def _document(request, doc, pk):
    document_type = DOCUMENTS[doc]
    return document_type, document_type.get_visible_or_404(request.user, pk)


def _kind(document_type, kind):
    try:
        return document_type.kinds[kind]
    except KeyError:
        raise Http404("No such kind of item.") from None


def _item_title(kind):
    return kind.title or services.KIND[kind.model]


def _render_form(request, document_type, document, kind, form, **extra):
    return render(
        request,
        "plans/doc_item_form.html",
        {
            "document_type": document_type,
            "document": document,
            "form": form,
            "kind_name": _item_title(kind),
            **extra,
        },
    )


def _form(kind, document, *args, **kwargs):
    form = kind.form_class()(*args, **kwargs)
    if kind.limit:
        kind.limit(form, document)
    return form


def _cleaned(form):
    return {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}


@require_http_methods(["GET", "POST"])
def item_add(request, doc, pk, kind, parent_pk=None):
    document_type, document = _document(request, doc, pk)
    item_kind = _kind(document_type, kind)
    if item_kind.given is None:  # the document itself: edited, not added
        raise Http404
    require(request.user, item_kind.ability or document_type.edit, document)
    parent = None
    if item_kind.parent:
        parent_kind = document_type.kinds[item_kind.parent_kind]
        parent = _item(document, parent_kind, parent_pk, request)
        if isinstance(parent, PlanChange):  # its parent was removed while this was typed
            return _removed_page(request, document_type, document, item_kind, parent_kind, parent)
    elif parent_pk is not None:
        raise Http404
    form = _form(item_kind, document, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _cleaned(form)
        try:
            if item_kind.create:
                item_kind.create(
                    document, request.user, {**item_kind.given(document, parent), **data}
                )
            else:
                services.add(
                    item_kind.model,
                    user=request.user,
                    **item_kind.given(document, parent),
                    **data,
                )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{_item_title(item_kind).capitalize()} added.")
            return redirect(document)
    return _render_form(request, document_type, document, item_kind, form, parent=parent)


def _item(document, item_kind, item_pk, request=None):
    """The item of this document, else a 404; but a save (POST, with `request`) naming an item
    someone removed meanwhile gets the history's record of the removal, so that the page can
    show back what was typed."""
    item = item_kind.model.objects.filter(pk=item_pk, **item_kind.within(document)).first()
    if item is not None:
        return item
    if request is not None and request.method == "POST":
        removal = (
            document.changes.filter(
                action="removed", object_kind=services.KIND[item_kind.model], object_id=item_pk
            )
            .select_related("by")
            .last()
        )
        if removal is not None:
            return removal
    raise Http404("No such item in this plan.")


def _removed_page(request, document_type, document, item_kind, removed_kind, removal):
    """Not saved: the item (or the item it goes under) was removed meanwhile. What was typed is
    shown back, with who removed it and when (the district's time)."""
    form = _form(item_kind, document, request.POST)
    form.is_valid()
    who = getattr(removal.by, "display_name", "") or "Someone"
    when = day_and_time(clock.local(removal.at, document))
    form.add_error(
        None,
        f"Not saved: {who} removed this {_item_title(removed_kind)} ({removal.object_label}) at "
        f"{when}, after you opened the page. What you typed is below: copy it if it is still "
        "needed.",
    )
    return _render_form(request, document_type, document, item_kind, form, removed=True)


def _show_conflict(form, conflict, document):
    """A stale save: beside each field changed meanwhile, the other person's saved text, who
    saved it and when (the district's time); the person's own text stays in the boxes."""
    for name, (theirs, change) in conflict.by_field().items():
        if name in form.fields:
            show_theirs(form, name, theirs=theirs, by=change.by, at=change.at, place=document)
    # The user may now save over the new version, having seen what changed.
    form.data = form.data.copy()
    form.data[form.add_prefix("expected_version")] = conflict.current.version
    return conflict


@require_http_methods(["GET", "POST"])
def item_edit(request, doc, pk, kind, item_pk):
    document_type, document = _document(request, doc, pk)
    item_kind = _kind(document_type, kind)
    require(request.user, item_kind.ability or document_type.edit, document)
    item = _item(document, item_kind, item_pk, request)
    if isinstance(item, PlanChange):  # removed while this was typed
        return _removed_page(request, document_type, document, item_kind, item_kind, item)
    form = _form(item_kind, document, request.POST or None, instance=item)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update(
                item,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **_cleaned(form),
            )
        except services.EditConflict as error:
            conflict = _show_conflict(form, error, document)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(document)
    return _render_form(
        request,
        document_type,
        document,
        item_kind,
        form,
        item=item,
        removable=item_kind.given is not None,
        conflict=conflict,
    )


@require_POST
def item_remove(request, doc, pk, kind, item_pk):
    document_type, document = _document(request, doc, pk)
    item_kind = _kind(document_type, kind)
    if item_kind.given is None:
        raise Http404
    require(request.user, item_kind.ability or document_type.edit, document)
    item = _item(document, item_kind, item_pk)
    if request.POST.get("confirm") != "on":
        messages.error(request, "Tick the box to confirm the removal.")
        return redirect("doc_item_edit", doc=doc, pk=document.pk, kind=kind, item_pk=item.pk)
    try:
        if item_kind.remove:
            item_kind.remove(item, request.user)
        else:
            services.remove(item, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed “{item}”.")
    return redirect(document)


def history(request, doc, pk):
    document_type, document = _document(request, doc, pk)
    page = Paginator(document.changes.select_related("by"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/doc_history.html",
        {"document_type": document_type, "document": document, "page": page},
    )
