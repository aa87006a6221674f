from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

from jixiao.api import views

app_name = "api"

# drf-spectacular serves its schema and docs to anyone by default; here they need a login
# like every other endpoint.
LOGIN = {"permission_classes": [IsAuthenticated]}

urlpatterns = [
    path("cycles/", views.CycleListView.as_view(), name="cycles"),
    path("cycles/<str:code>/", views.CycleDetailView.as_view(), name="cycle"),
    path("cycles/<str:code>/units/", views.UnitListView.as_view(), name="units"),
    path("cycles/<str:code>/indicators/", views.IndicatorTreeView.as_view(), name="indicators"),
    path("cycles/<str:code>/results/", views.ResultListView.as_view(), name="results"),
    path(
        "cycles/<str:code>/results/<str:unit_code>/",
        views.ResultDetailView.as_view(),
        name="result",
    ),
    path("cycles/<str:code>/recompute/", views.RecomputeView.as_view(), name="recompute"),
    # Endpoints of each domain live in their own module of this package.
    path("", include("jixiao.api.indicators_urls")),
    path("", include("jixiao.api.tasks_urls")),
    path("", include("jixiao.api.evaluations_urls")),
    path("", include("jixiao.api.adjustments_urls")),
    path("", include("jixiao.api.surveys_urls")),
    path("", include("jixiao.api.reports_urls")),
    path("schema/", SpectacularAPIView.as_view(**LOGIN), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", **LOGIN),
        name="docs",
    ),
]
