from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from jixiao.accounts.views import LoginView

admin.site.site_header = "绩效管理系统"
admin.site.site_title = "绩效管理系统"
admin.site.index_title = "效能办管理后台"

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("jixiao.api.urls")),
    # Each domain app mounts its own pages; they all live under /cycles/<code>/ where they
    # belong to a cycle.
    path("", include("jixiao.indicators.urls")),
    path("", include("jixiao.tasks.urls")),
    path("", include("jixiao.evaluations.urls")),
    path("", include("jixiao.adjustments.urls")),
    path("", include("jixiao.surveys.urls")),
    path("", include("jixiao.reports.urls")),
]
