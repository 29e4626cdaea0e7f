"""What the meeting page shows of a CAP meeting, by who is looking (the class's team, the school's
leaders, the district)."""

from django.db.models import Prefetch

from schoolplan.permissions import (
    CLASS_TEAM,
    can,
)

from . import cap, cap_year
from .forms_cap import (
    NoteForm,
    ReviewForm,
)
from .models import (
    ActionItemUpdate,
    GroupNote,
    PupilNote,
)


def cap_context(user, meeting, actions):
    """What the meeting page shows of a CAP meeting, by who is looking."""
    record = meeting.cap
    team = can(user, CLASS_TEAM, record)
    previous = cap.previous_cap_meeting(meeting)
    review_rows = []
    if previous is not None:
        reviews = {r.action_item_id: r for r in meeting.action_reviews.all()}
        for item in previous.action_items.select_related("owner").prefetch_related(
            Prefetch("updates", ActionItemUpdate.objects.select_related("by"))
        ):
            review = reviews.get(item.pk)
            review_rows.append(
                {
                    "item": item,
                    "review": review,
                    "form": ReviewForm(
                        prefix=f"review-{item.pk}",
                        initial={
                            "outcome": review.outcome if review else None,
                            "impact": review.impact if review else "",
                            "next_step": review.next_step if review else "",
                        },
                    ),
                }
            )
    return {
        "cap": record,
        "is_team": team,
        "previous_cap": previous,
        "review_rows": review_rows,
        "group_notes": cap.notes_visible_to(user, GroupNote.objects.filter(cap=record))
        if team
        else [],
        "pupil_notes": cap.notes_visible_to(user, PupilNote.objects.filter(cap=record))
        if team
        else [],
        "note_form": NoteForm(prefix="note"),
        "balance": cap_year.category_balance(actions),
        "csv_preview": cap.csv_preview(record) if team else None,
    }
