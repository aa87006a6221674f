from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from jixiao.adjustments import views

app_name = "adjustments"

pages: list[URLPattern | URLResolver] = [
    path("", views.summary, name="summary"),
    path("standards/", views.standards, name="standards"),
    path("claims/", views.claims_list, name="claims"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/files/<int:file_id>/", views.evidence_file, name="evidence"),
    path("inspections/", views.inspections_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("findings/", views.findings_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/photos/<int:file_id>/", views.photo_file, name="photo"),
    path("city-incentives/", views.city_incentives, name="city_incentives"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("cycles/<str:code>/adjustments/", include(pages)),
]
