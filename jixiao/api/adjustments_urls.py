from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.api import adjustments_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cycles/<str:code>/adjustments/standards/",
        views.StandardsView.as_view(),
        name="adjustment_standards",
    ),
    path("cycles/<str:code>/claims/", views.ClaimListView.as_view(), name="claims"),
    path("cycles/<str:code>/inspections/", views.InspectionListView.as_view(), name="inspections"),
    path("cycles/<str:code>/findings/", views.FindingListView.as_view(), name="findings"),
    path(
        "cycles/<str:code>/city-incentives/",
        views.CityIncentiveListView.as_view(),
        name="city_incentives",
    ),
]
