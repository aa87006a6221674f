from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def report_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show a service's refusal as messages (one per problem)."""
    for message in exc.messages:
        messages.error(request, message)
