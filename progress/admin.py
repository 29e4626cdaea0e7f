from django.contrib import admin

from .models import ActivityReview, Comment, Measurement, Metric

admin.site.register(Metric)


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    """Every version of every value, the replaced ones too (the default manager has the current
    values only). Corrections go through the metric's page, which keeps the history."""

    list_display = ["metric", "date", "value", "recorded_by", "recorded_at", "replaced_at"]
    list_filter = [("replaced_at", admin.EmptyFieldListFilter)]

    def get_queryset(self, request):
        return Measurement.history.select_related("metric", "recorded_by")


admin.site.register(ActivityReview)
admin.site.register(Comment)
