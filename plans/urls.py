from django.urls import path

from . import views, views_cadre, views_documents, views_sami, views_school
from .documents import DOCUMENTS

urlpatterns = [
    path("cim/plans/<int:pk>/", views.plan_detail, name="cim_plan"),
    path("cim/plans/<int:pk>/ta-sessions/", views.ta_sessions, name="ta_sessions"),
    # A school's plans (seed 002)
    path(
        "schools/<int:school_pk>/essa-plan/", views_school.essa_plan_for_school, name="school_essa"
    ),
    path("essa/<int:pk>/", views_school.essa_plan, name="essa_plan"),
    path("essa/<int:pk>/submit/", views_school.essa_submit, name="essa_submit"),
    path("essa/<int:pk>/decide/", views_school.essa_decide, name="essa_decide"),
    path("essa/<int:pk>/export.<str:fmt>", views_school.essa_export, name="essa_export"),
    path("essa/<int:pk>/pdf/", views_school.essa_pdf, name="essa_pdf"),
    path(
        "schools/<int:school_pk>/blueprint/",
        views_school.blueprint_for_school,
        name="school_blueprint",
    ),
    path("blueprints/<int:pk>/", views_school.blueprint_view, name="blueprint"),
    path("blueprints/<int:pk>/publish/", views_school.blueprint_publish, name="blueprint_publish"),
    # The SAMI note catcher (seed 002)
    path("schools/<int:school_pk>/sami/", views_sami.sami_for_school, name="school_sami"),
    path("sami/<int:pk>/", views_sami.sami_view, name="sami"),
    # The family-engagement cadre (seed 004)
    path("schools/<int:school_pk>/cadre/", views_cadre.cadre_for_school, name="school_cadre"),
    path("cadres/<int:pk>/", views_cadre.cadre_view, name="cadre"),
    path("cadres/<int:pk>/steps/<int:step_pk>/", views_cadre.cadre_step, name="cadre_step"),
    path(
        "cadres/<int:pk>/steps/<int:step_pk>/consensus/",
        views_cadre.cadre_consensus,
        name="cadre_consensus",
    ),
    path("cadres/<int:pk>/share/", views_cadre.cadre_share, name="cadre_share"),
    path("cadres/<int:pk>/surveys/new/", views_cadre.survey_import, name="survey_import"),
    path("cadres/<int:pk>/surveys/<int:survey_pk>/", views_cadre.survey_view, name="cadre_survey"),
]

# The items of each plan document: add, edit, remove, and the document's history.
for slug in DOCUMENTS:
    urlpatterns += [
        path(
            f"{slug}/<int:pk>/history/", views_documents.history, {"doc": slug}, name="doc_history"
        ),
        path(
            f"{slug}/<int:pk>/items/<slug:kind>/new/",
            views_documents.item_add,
            {"doc": slug},
            name="doc_item_add",
        ),
        path(
            f"{slug}/<int:pk>/items/<slug:kind>/new/<int:parent_pk>/",
            views_documents.item_add,
            {"doc": slug},
            name="doc_item_add_under",
        ),
        path(
            f"{slug}/<int:pk>/items/<slug:kind>/<int:item_pk>/",
            views_documents.item_edit,
            {"doc": slug},
            name="doc_item_edit",
        ),
        path(
            f"{slug}/<int:pk>/items/<slug:kind>/<int:item_pk>/remove/",
            views_documents.item_remove,
            {"doc": slug},
            name="doc_item_remove",
        ),
    ]
