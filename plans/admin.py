from django.contrib import admin

from schoolplan.admin import ViewOnlyAdmin, ViewOnlyInline

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

# Plans and their items change on the plan's page only: there every save keeps the plan's
# history and checks the version the editor started from. Here they are shown, not changed.


class StrategyInline(ViewOnlyInline, admin.StackedInline):
    model = Strategy
    exclude = ["version"]


@admin.register(PlanForImprovement)
class PlanAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "district", "school_year"]
    inlines = [StrategyInline]


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "by", "action", "object_kind", "object_label"]
    readonly_fields = [f.name for f in PlanChange._meta.fields]


for model in (
    Strategy,
    Activity,
    Outcome,
    TaSession,
    DataFinding,
    CimRootCause,
    CimProblemStatement,
):
    admin.site.register(model, ViewOnlyAdmin)
