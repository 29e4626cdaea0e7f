from django.contrib import admin

from .models import (
    Activity,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    Outcome,
    PlanChange,
    PlanForImprovement,
    Strategy,
    TaSession,
)


class StrategyInline(admin.StackedInline):
    model = Strategy
    extra = 0
    exclude = ["version"]


@admin.register(PlanForImprovement)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "district", "school_year"]
    inlines = [StrategyInline]


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "by", "action", "object_kind", "object_label"]
    readonly_fields = [f.name for f in PlanChange._meta.fields]


admin.site.register(Activity)
admin.site.register(Outcome)
admin.site.register(TaSession)
admin.site.register(DataFinding)
admin.site.register(CimRootCause)
admin.site.register(CimProblemStatement)
