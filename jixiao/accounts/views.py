from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters


@method_decorator(sensitive_post_parameters(), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login view; lock-out after repeated failures comes from django-axes."""

    form_class = AuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
