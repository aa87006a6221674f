from __future__ import annotations

from django.urls import path

from jixiao.api import indicators_views as v

TREE = "cycles/<str:code>/trees/<str:owner>/"

urlpatterns = [
    path(TREE, v.TreeView.as_view(), name="tree"),
    path(TREE + "nodes/", v.NodeListView.as_view(), name="tree_nodes"),
    path(TREE + "nodes/<int:pk>/", v.NodeDetailView.as_view(), name="tree_node"),
    path(TREE + "transition/", v.TransitionView.as_view(), name="tree_transition"),
]
