from django.urls import path

from . import views

urlpatterns = [
    path("cim/plans/<int:pk>/", views.plan_detail, name="cim_plan"),
    path("cim/plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("cim/plans/<int:pk>/ta-sessions/", views.ta_sessions, name="ta_sessions"),
    path("cim/plans/<int:pk>/<str:kind>/new/", views.item_add, name="plan_item_add"),
    path(
        "cim/plans/<int:pk>/<str:kind>/new/<int:parent_pk>/",
        views.item_add,
        name="plan_item_add_under",
    ),
    path("cim/plans/<int:pk>/<str:kind>/<int:item_pk>/", views.item_edit, name="plan_item_edit"),
    path(
        "cim/plans/<int:pk>/<str:kind>/<int:item_pk>/remove/",
        views.item_remove,
        name="plan_item_remove",
    ),
]
