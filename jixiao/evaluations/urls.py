from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.evaluations.views import appeals, audit, collection, office, review, unit

app_name = "evaluations"

C = "cycles/<str:code>/"
U = C + "units/<str:unit_code>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(C + "self-evaluation/", unit.my_self_evaluation, name="my_self_evaluation"),
    path(U + "self-evaluation/", unit.self_evaluation, name="self_evaluation"),
    path(U + "self-evaluation/submit/", unit.submit_self_evaluation, name="submit"),
    path(
        U + "self-evaluation/<int:leaf_id>/",
        unit.save_self_evaluation,
        name="save_self_evaluation",
    ),
    path(
        U + "self-evaluation/<int:leaf_id>/evidence/",
        unit.upload_evidence,
        name="upload_evidence",
    ),
    path(U + "evidence/<int:pk>/delete/", unit.remove_evidence, name="remove_evidence"),
    path(C + "evidence/<int:pk>/", unit.evidence_file, name="evidence"),
    path(U + "history/", audit.line_history, name="line_history"),
    path(U + "appeals/new/", appeals.new_appeal, name="new_appeal"),
    path(C + "reviews/", review.queue, name="review_queue"),
    path(C + "reviews/<str:unit_code>/<int:leaf_id>/", review.review_item, name="review_item"),
    path(C + "collection/", collection.grid, name="collection"),
    path(C + "collection/template.xlsx", collection.template, name="collection_template"),
    path(C + "collection/upload/", collection.upload, name="collection_upload"),
    path(C + "collection/confirm/", collection.confirm_upload, name="collection_confirm"),
    path(C + "assessment/progress/", office.progress, name="progress"),
    path(C + "assessment/assignments/", office.assignments, name="assignments"),
    path(C + "assessment/assignments/<int:pk>/delete/", office.unassign, name="unassign"),
    path(C + "assessment/settings/", office.settings_page, name="settings"),
    path(C + "assessment/<str:action>/", office.phase_action, name="phase_action"),
    path(C + "results/compare/", office.compare, name="compare"),
    path(C + "appeals/", appeals.appeal_list, name="appeals"),
    path(C + "appeals/<int:pk>/", appeals.appeal_detail, name="appeal"),
    path(C + "audit/", audit.audit_log, name="audit"),
]
