from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.api import evaluations_views as v

C = "cycles/<str:code>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        C + "units/<str:unit_code>/self-evaluations/",
        v.SelfEvaluationListView.as_view(),
        name="self_evaluations",
    ),
    path(
        C + "units/<str:unit_code>/self-evaluations/<str:leaf_code>/",
        v.SelfEvaluationDetailView.as_view(),
        name="self_evaluation",
    ),
    path(C + "reviews/", v.ReviewQueueView.as_view(), name="reviews"),
    path(C + "reviews/<str:unit_code>/<str:leaf_code>/", v.ReviewView.as_view(), name="review"),
    path(C + "collection-values/", v.CollectionView.as_view(), name="collection_values"),
    path(C + "appeals/", v.AppealListView.as_view(), name="appeals"),
    path(C + "units/<str:unit_code>/appeals/", v.UnitAppealView.as_view(), name="unit_appeals"),
]
