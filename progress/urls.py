from django.urls import path

from . import views, views_metrics

urlpatterns = [
    path("districts/<int:pk>/cim/", views.cim_home, name="cim_home"),
    path("districts/<int:pk>/cim/plan/", views.plan_start, name="plan_start"),
    path("districts/<int:pk>/cim/team/", views.team_edit, name="cim_team_edit"),
    path("districts/<int:pk>/cim/reviews/new/", views.review_schedule, name="review_schedule"),
    path("cim/reviews/<int:pk>/", views.review_record, name="review_record"),
    path("cim/outcomes/<int:pk>/metric/", views.metric_edit, name="metric_edit"),
    path("cim/plans/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("metrics/<int:pk>/", views_metrics.metric_detail, name="metric_detail"),
    path("metrics/<int:pk>/measurements/new/", views_metrics.metric_measure, name="metric_measure"),
]

# Measurements of every metric of a plan at once (a form row per metric, or a CSV file).
for slug in ("cim/plans", "essa", "blueprints"):
    urlpatterns.append(
        path(
            f"{slug}/<int:pk>/measurements/",
            views_metrics.measurements_bulk,
            {"doc": slug},
            name="measurements_bulk",
        )
    )
