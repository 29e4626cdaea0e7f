from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import FamilyLanguagesField
from .models import (
    AuditEvent,
    CimLevel,
    CimTeam,
    District,
    Membership,
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
    list_display = ["name", "cim_status", "time_zone", "cpm_contact_email"]
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
    search_fields = ["name"]
    prepopulated_fields = {"public_slug": ["name"]}


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "district", "kick_off_opens", "wrap_up_closes"]
    list_filter = ["district"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "district", "school"]
    list_filter = ["role", "district"]
    search_fields = ["user__username", "user__last_name", "school__name"]
    autocomplete_fields = ["user", "district", "school"]


@admin.register(CimTeam)
class CimTeamAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lead", "ta_provider"]
    list_filter = ["district"]
    autocomplete_fields = ["lead", "members", "ta_provider"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: rows are only ever added."""

    list_display = ["at", "username", "user", "action", "subject", "summary", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "subject", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
