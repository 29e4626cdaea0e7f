from django.contrib import admin

from schoolplan.admin import ViewOnlyAdmin

from .models import ActivityReview, Comment, Measurement, Metric, ProgressReport

admin.site.register(Metric, ViewOnlyAdmin)  # its page keeps the history of targets and values


@admin.register(ProgressReport)
class ProgressReportAdmin(ViewOnlyAdmin):
    """Reports are signed off and submitted on their pages; a submitted one is frozen (and, on
    PostgreSQL, a trigger refuses to change it)."""

    list_display = ["__str__", "status"]


@admin.register(Measurement)
class MeasurementAdmin(ViewOnlyAdmin):
    """Every version of every value, the replaced ones too (the default manager has the current
    values only). Corrections go through the metric's page, which keeps the history."""

    list_display = ["metric", "date", "value", "recorded_by", "recorded_at", "replaced_at"]
    list_filter = [("replaced_at", admin.EmptyFieldListFilter)]

    def get_queryset(self, request):
        return Measurement.history.select_related("metric", "recorded_by")


admin.site.register(ActivityReview)
admin.site.register(Comment)
