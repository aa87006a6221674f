from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.api import adjustments_views as views

C = "cycles/<str:code>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        C + "adjustments/standards/",
        views.StandardsView.as_view(),
        name="adjustment_standards",
    ),
    path(C + "claims/", views.ClaimListView.as_view(), name="claims"),
    path(C + "claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim"),
    path(
        C + "claims/<int:pk>/transition/",
        views.ClaimTransitionView.as_view(),
        name="claim_transition",
    ),
    path(C + "claims/<int:pk>/evidence/", views.ClaimEvidenceView.as_view(), name="claim_evidence"),
    path(
        C + "claims/<int:pk>/evidence/<int:evidence_id>/",
        views.ClaimEvidenceDetailView.as_view(),
        name="claim_evidence_file",
    ),
    path(C + "inspections/", views.InspectionListView.as_view(), name="inspections"),
    path(C + "inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection"),
    path(
        C + "inspections/<int:pk>/findings/",
        views.InspectionFindingsView.as_view(),
        name="inspection_findings",
    ),
    path(C + "findings/", views.FindingListView.as_view(), name="findings"),
    path(C + "findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding"),
    path(
        C + "findings/<int:pk>/transition/",
        views.FindingTransitionView.as_view(),
        name="finding_transition",
    ),
    path(C + "findings/<int:pk>/link/", views.FindingLinkView.as_view(), name="finding_link"),
    path(C + "findings/<int:pk>/photos/", views.FindingPhotoView.as_view(), name="finding_photos"),
    path(
        C + "city-incentives/",
        views.CityIncentiveListView.as_view(),
        name="city_incentives",
    ),
    path(
        C + "city-incentives/<str:unit_code>/",
        views.CityIncentiveDetailView.as_view(),
        name="city_incentive",
    ),
]
