from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the page header needs: whether to show the office's links, and the cycle switcher.

    The cycles are read only when a template iterates them (pages without a header, such as
    the login page, pay nothing).
    """
    from jixiao.accounts.permissions import is_office_admin
    from jixiao.cycles.selectors import visible_cycles

    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav_is_office": False, "nav_cycles": []}
    return {
        "nav_is_office": is_office_admin(user),
        "nav_cycles": SimpleLazyObject(lambda: visible_cycles(user=user)),
    }
