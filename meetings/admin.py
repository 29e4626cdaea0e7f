from django.contrib import admin

from schoolplan.admin import ViewOnlyAdmin

from .models import ActionItem, AgendaItem, CalendarFeed, Goal, Invitation, Meeting, Minutes


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "meeting_type", "cpm_stage", "starts_at", "status"]
    list_filter = ["meeting_type", "status", "district"]
    search_fields = ["title", "school__name"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline, InvitationInline]


@admin.register(Minutes)
class MinutesAdmin(ViewOnlyAdmin):
    """Minutes are written and published on the meeting's page; published minutes change only
    by an amendment there, which keeps the earlier text and writes the audit log."""

    list_display = ["meeting", "published_at"]


admin.site.register(ActionItem)
admin.site.register(Goal)
admin.site.register(CalendarFeed)
