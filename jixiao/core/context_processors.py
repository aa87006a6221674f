from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the page header needs: whether to show the office's links."""
    from jixiao.accounts.permissions import is_office_admin

    user = getattr(request, "user", None)
    return {"nav_is_office": bool(user and user.is_authenticated and is_office_admin(user))}
