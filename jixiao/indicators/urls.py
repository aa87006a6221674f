from __future__ import annotations

from django.urls import path

from jixiao.indicators import views

app_name = "indicators"

# <owner>: "common" for the common self-construction tree, else the unit's code.
TREE = "cycles/<str:code>/indicators/<str:owner>/"

urlpatterns = [
    path("cycles/<str:code>/indicators/", views.trees, name="trees"),
    path(TREE, views.tree, name="tree"),
    path(TREE + "add/", views.node_add, name="node_add"),
    path(TREE + "<int:pk>/edit/", views.node_edit, name="node_edit"),
    path(TREE + "<int:pk>/move/", views.node_move, name="node_move"),
    path(TREE + "<int:pk>/delete/", views.node_delete, name="node_delete"),
    path(TREE + "transition/", views.transition, name="transition"),
    path(TREE + "export.xlsx", views.export, name="export"),
    path(TREE + "import/", views.import_upload, name="import"),
    path(TREE + "import/<str:token>/confirm/", views.import_confirm, name="import_confirm"),
]
