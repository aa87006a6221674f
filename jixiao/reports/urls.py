from __future__ import annotations

from django.urls import path

from jixiao.reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cycles/<str:code>/", views.cycle_overview, name="cycle_overview"),
    path("cycles/<str:code>/recompute/", views.cycle_recompute, name="cycle_recompute"),
    path("cycles/<str:code>/ranking/", views.ranking, name="ranking"),
    path("cycles/<str:code>/units/<str:unit_code>/", views.unit_card, name="unit_card"),
]
