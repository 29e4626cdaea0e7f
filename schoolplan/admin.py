from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import FamilyLanguagesField
from .mail import retry_now
from .models import (
    AuditEvent,
    CimLevel,
    CimTeam,
    District,
    Membership,
    OutboxEmail,
    RosterImport,
    School,
    SchoolYear,
    User,
)
from .models.organisation import TimeZoneField


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["district", "school"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    search_fields = [*BaseUserAdmin.search_fields, "sourced_id"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("District roster", {"fields": ["roster_district", "sourced_id"]}),
    ]
    readonly_fields = ["roster_district", "sourced_id"]  # the roster import keeps them


class SchoolYearInline(admin.StackedInline):
    model = SchoolYear
    extra = 0


class CimLevelInline(admin.TabularInline):
    """Read only: a level is recorded on the district's CIM level page, with its checks, its
    effect on the report periods and its audit entry (schoolplan/cim_levels.py)."""

    model = CimLevel
    extra = 0
    fields = readonly_fields = ["effective_on", "status", "set_by", "set_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "cim_status", "time_zone", "cpm_contact_email", "sso_enforces_mfa"]
    list_filter = ["time_zone"]
    # The admin gives every CharField a text input; a zone is chosen from the list.
    formfield_overrides = {TimeZoneField: {"widget": forms.Select}}
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CimLevelInline, SchoolYearInline]


class SchoolAdminForm(admin.ModelAdmin.form):
    family_languages = FamilyLanguagesField()


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolAdminForm
    list_display = ["name", "district", "level", "title_i", "essa_designation"]
    list_filter = ["district", "level", "title_i", "essa_designation"]
    search_fields = ["name", "sourced_id"]
    prepopulated_fields = {"public_slug": ["name"]}


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "district", "kick_off_opens", "wrap_up_closes"]
    list_filter = ["district"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Every membership, ended ones too (the roster import ends them; they grant nothing)."""

    list_display = ["user", "role", "district", "school", "ended_on"]
    list_filter = ["role", "district", ("ended_on", admin.EmptyFieldListFilter)]

    def get_queryset(self, request):
        return Membership.all_objects.select_related("user", "district", "school")

    search_fields = ["user__username", "user__last_name", "school__name"]
    autocomplete_fields = ["user", "district", "school"]


@admin.register(CimTeam)
class CimTeamAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lead", "ta_provider"]
    list_filter = ["district"]
    autocomplete_fields = ["lead", "members", "ta_provider"]


class ViewOnly:
    """Shown, never changed here: records whose rules (history, versions, amendments, the audit
    log) live in the app's services, which the admin would bypass. Change them in the app."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(ViewOnly, admin.ModelAdmin):
    pass


class ViewOnlyInline(ViewOnly):
    """Mixed into an inline (ViewOnlyInline, admin.StackedInline): listed, not changed."""

    extra = 0


class FailedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("failed", "Failed, waiting to retry"), ("queued", "Queued"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "failed":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0)
        if value == "queued":
            return queryset.filter(sent_at__isnull=True, attempts=0)
        if value == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ViewOnlyAdmin):
    """The e-mail outbox: what went, what waits, and what failed (with the server's answer).
    A failed send is retried on its own with backoff; "Retry now" makes it due at once."""

    list_display = ["created_at", "subject", "recipients", "state", "attempts", "next_attempt_at"]
    list_filter = [FailedFilter]
    search_fields = ["subject", "key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    exclude = ["attachment_content"]

    @admin.display(description="To")
    def recipients(self, email):
        return ", ".join(email.to)

    @admin.display(description="State")
    def state(self, email):
        if email.sent_at:
            return "sent"
        return f"failed: {email.last_error[:120]}" if email.attempts else "queued"

    @admin.action(description="Retry now (failed, unsent e-mails)")
    def retry_now(self, request, queryset):
        count = retry_now(queryset)
        self.message_user(request, f"{count} e-mail(s) will be sent again now.")


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    """The audit log, read-only: rows are only ever added."""

    list_display = ["at", "username", "user", "action", "subject", "summary", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "subject", "summary"]


@admin.register(RosterImport)
class RosterImportAdmin(ViewOnlyAdmin):
    """The districts' roster import log, read-only (imports run from the district's page or
    `manage.py import_roster`, with their checks)."""

    list_display = ["uploaded_at", "district", "filename", "uploaded_by", "status", "apply_status"]
    list_filter = ["district", "status", "apply_status"]
    fields = [
        "district",
        "source",
        "filename",
        "uploaded_by",
        "uploaded_at",
        "status",
        "counts",
        "problems",
        "error",
        "confirmed_by",
        "confirmed_at",
        "apply_status",
        "applied_counts",
        "applied_at",
    ]
