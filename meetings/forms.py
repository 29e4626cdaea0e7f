from datetime import time, timedelta

from django import forms

from schoolplan import clock
from schoolplan.forms import DateInput, FamilyLanguagesField, ModelMultipleChoiceField
from schoolplan.models import CpmStage, Membership, Role, User

from .models import ActionItem, ActionStatus, AgendaItem, GoalArea, MeetingType


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def school_people(school):
    """People with a role at the school (and the district's staff), for owners and invitations."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(school=school)
            | Membership.objects.filter(district=school.district, role=Role.DISTRICT_STAFF),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def meeting_people(meeting):
    """Who may be invited to, or own an action of, a meeting: its host's people."""
    if meeting.school_id:
        return school_people(meeting.school)
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(
                district=meeting.district_id,
                role__in=(Role.CIM_LEAD, Role.CIM_MEMBER, Role.DISTRICT_STAFF),
            ),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class MeetingTimesForm(forms.Form):
    """When and where: what every meeting form asks, checked the same way. The date and times
    typed are the wall clock where the meeting's host is (`host`: its school or district; None:
    the page's zone), not the zone of whoever types them (DOMAIN.md, Time): 17:30 stays 17:30
    across a DST change."""

    default_start, default_end = time(18, 0), time(19, 30)

    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    place = forms.CharField(max_length=200, required=False, help_text="Room and address.")
    video_link = forms.URLField(required=False, label="Video link", assume_scheme="https")

    def __init__(self, *args, host=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = clock.zone_of(host)
        self.fields["start_time"].initial = self.default_start
        self.fields["end_time"].initial = self.default_end
        self.fields["start_time"].help_text = f"Local time in {str(self.zone).replace('_', ' ')}."

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = clock.at(day, start, self.zone)
            data["ends_at"] = clock.at(day, end, self.zone)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", "The meeting must end after it starts.")
            elif data["ends_at"] - data["starts_at"] > timedelta(hours=8):
                self.add_error("end_time", "A meeting of more than 8 hours? Check the times.")
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", "Give a place, a video link, or both.")
        return data

    @property
    def when_and_where(self):
        """The cleaned times and place, as the scheduling services take them."""
        return {
            name: self.cleaned_data[name]
            for name in ("starts_at", "ends_at", "place", "video_link")
        }


class CpmMeetingForm(MeetingTimesForm):
    """Schedule or move a CPM meeting. The window and combination rules live in meetings.cpm."""

    field_order = ["stage", "title"]

    stage = forms.ChoiceField(label="Which CPM meeting", choices=CpmStage.choices)
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty for e.g. “Kick Off community meeting 2026-27”.",
    )
    description = forms.CharField(
        label="For families (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words on the families' page and the flyer: what families will hear "
        "and do. Translated on the school's Families' languages page.",
    )
    languages_offered = FamilyLanguagesField(
        label="Interpretation offered in", help_text="Preselected: the school's family languages."
    )
    counts_as_title_i_meeting = forms.BooleanField(
        required=False, label="This meeting is also our Title I annual parent meeting"
    )
    counts_as_spf_meeting = forms.BooleanField(
        required=False, label="This meeting is also our SPF meeting (sharing SPF results)"
    )
    confirm_repeat = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Yes, schedule it anyway"
    )
    # DOMAIN.md, "Recorded, not scheduled": a past date records the meeting, once confirmed.
    confirm_record_late = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Yes, record it as a meeting already held"
    )
    # The form's one-time token: sent twice, it schedules once (schoolplan.submissions).
    submission = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, school, meeting=None, **kwargs):
        super().__init__(*args, host=school, **kwargs)
        self.school = school
        self.meeting = meeting
        if meeting is not None:
            self.fields["stage"].disabled = True
        if not school.title_i:
            # seed 000: only Title I schools hold a Title I annual parent meeting.
            del self.fields["counts_as_title_i_meeting"]

    def ask_for_confirmation(self, message, code="confirm_repeat"):
        """A service's NeedsConfirmation: its question beside the box that answers it (the
        code names the box). A question answered before stays answered in its hidden box."""
        field = self.fields[code]
        field.widget = forms.CheckboxInput()
        field.help_text = message
        self.add_error(code, message)


class TitleIMeetingForm(MeetingTimesForm):
    """A Title I school's annual parent meeting on its own (meetings.services)."""

    field_order = ["title"]

    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave empty for e.g. “Title I annual parent meeting 2026-27”.",
    )
    description = CpmMeetingForm.base_fields["description"]
    languages_offered = FamilyLanguagesField(
        label="Interpretation offered in", help_text="Preselected: the school's family languages."
    )
    confirm_repeat = CpmMeetingForm.base_fields["confirm_repeat"]
    confirm_record_late = CpmMeetingForm.base_fields["confirm_record_late"]
    submission = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, host=school, **kwargs)
        self.school = school

    ask_for_confirmation = CpmMeetingForm.ask_for_confirmation


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Families and the district will see it.",
    )
    confirm = forms.BooleanField(
        label="Yes, cancel this meeting and tell everyone invited",
        error_messages={"required": "Tick the box to confirm the cancellation."},
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None and meeting.meeting_type == MeetingType.CIM_REVIEW:
            # A CIM review is the district team's: no family reads it.
            self.fields["reason"].help_text = "The CIM team sees it, here and in the e-mail."


class MinutesForm(forms.Form):
    text = forms.CharField(
        label="Minutes", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    attended = ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invited people who attended",
    )
    # Bounded: a huge count overflowed the column (a 500), and no hall holds 10,000.
    family_attendees = forms.IntegerField(
        min_value=0, max_value=10_000, initial=0, label="Family members attending"
    )
    community_attendees = forms.IntegerField(
        min_value=0, max_value=10_000, initial=0, label="Community members attending"
    )
    mark_held = forms.BooleanField(required=False, label="The meeting took place: mark it held")
    # The minutes' version the page loaded: a save over someone's newer minutes is refused.
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = User.objects.filter(invitations__meeting=meeting)
        if meeting.is_held:
            del self.fields["mark_held"]


class AmendmentForm(forms.Form):
    text = forms.CharField(label="Minutes", widget=forms.Textarea(attrs={"rows": 8}))
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.CharField(
        label="Reason for the amendment",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The earlier text stays on record beside it.",
    )


class ActionItemForm(forms.ModelForm):
    """An agreed action; a CAP meeting's also says what kind of change it makes."""

    research_url = forms.URLField(label="Research link", required=False, assume_scheme="https")

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on", "category", "research_title", "research_url"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, meeting, categorised=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = meeting_people(meeting)
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if categorised:
            self.fields["category"].required = True
            self.fields["research_title"].help_text = "Optional: the study or guidance it rests on."
        else:
            for name in ("category", "research_title", "research_url"):
                del self.fields[name]


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(required=False, max_length=1000)


class GoalForm(forms.Form):
    area = forms.ChoiceField(label="Area", choices=GoalArea.choices, initial=GoalArea.OTHER)
    text = forms.CharField(label="Goal", max_length=500)


class InviteForm(forms.Form):
    people = ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, label="Invite"
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        field.queryset = meeting_people(meeting).exclude(invitations__meeting=meeting)
        field.label_from_instance = lambda user: f"{user.display_name} <{user.email}>"


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "duration_minutes"]


AgendaFormSet = forms.inlineformset_factory(
    parent_model=AgendaItem.meeting.field.related_model,
    model=AgendaItem,
    form=AgendaItemForm,
    extra=2,
    can_delete=True,
    can_order=True,
)
