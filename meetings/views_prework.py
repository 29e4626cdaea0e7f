"""The workshop pre-work page (seed 002; meetings.prework): the school gives it after
registering, until the session starts; whoever sees the registration reads it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schoolplan.forms import show_errors, show_theirs
from schoolplan.permissions import EDIT_SCHOOL_PLAN, can

from . import prework
from .forms_prework import PreworkForm
from .views_workshops import _registration


def _show_conflict(form, conflict, registration):
    """A stale save: the other person's saved pre-work beside what this person chose."""
    current = conflict.current
    saved = {
        "actions": "; ".join(str(item) for item in current.prework_actions.order_by("pk")),
        "prework": current.prework,
    }
    for name, theirs in saved.items():
        show_theirs(
            form,
            name,
            theirs=theirs,
            by=current.prework_by,
            at=current.prework_at,
            place=registration.school,
        )
    form.data = form.data.copy()
    form.data["expected_version"] = current.prework_version  # saving again overwrites, knowingly


@require_http_methods(["GET", "POST"])
def workshop_prework(request, pk):
    registration = _registration(request, pk)
    if not can(request.user, EDIT_SCHOOL_PLAN, registration.school):
        raise PermissionDenied("Only the school's staff give its pre-work.")
    offered = prework.sami_actions_offered(registration)
    chosen = list(registration.prework_actions.values_list("pk", flat=True))
    form = PreworkForm(
        request.POST or None,
        request.FILES or None,
        offered=offered,
        initial={
            # The SAMI's marked actions are proposed until the school has chosen its own.
            "actions": chosen or list(offered.values_list("pk", flat=True)),
            "prework": registration.prework,
            "expected_version": registration.prework_version,
        },
    )
    open_now = registration.open_to_the_school()
    if request.method == "POST" and form.is_valid():
        try:
            prework.give_prework(registration, user=request.user, **form.cleaned_data)
        except prework.PreworkConflict as conflict:
            _show_conflict(form, conflict, registration)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Pre-work saved.")
            return redirect(registration)
    return render(
        request,
        "meetings/workshop_prework.html",
        {
            "registration": registration,
            "form": form,
            "open_now": open_now,
            "due_on": prework.prework_due_on(registration),
        },
    )
