"""What the header shows of the assessment workflow: one link per role the user holds.

Only memberships are read (cached on the user for the request), so the header adds no query
to any page.
"""

from __future__ import annotations

from typing import Any

from django import template

from jixiao.accounts.permissions import (
    can_manage_evaluations,
    collection_unit_ids_of,
    is_reviewer,
    unit_ids_of,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def evaluation_roles(context: dict[str, Any], cycle: Any) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or cycle is None:
        return {}
    return {
        "unit": bool(unit_ids_of(user, cycle)),
        "reviewer": is_reviewer(user, cycle),
        "collector": bool(collection_unit_ids_of(user, cycle)),
        "office": can_manage_evaluations(user, cycle),
    }
