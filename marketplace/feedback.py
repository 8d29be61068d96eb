"""Telling the user why something was refused: one helper for every view and API endpoint.

A service refuses with a bilingual `ValidationError`; a form refuses with its `errors`. Pages show
each message with `show_errors(request, error)`; the JSON API and commands want one line,
`error_text(error)`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

from marketplace.display import one_language


def error_messages(error) -> list[str]:
    """The messages of a ValidationError, or of an invalid form (a field's label before its errors)."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    out: list[str] = []
    for field, errors in error.errors.items():
        label = error.fields[field].label if field in error.fields else None
        out.extend(f"{label}：{message}" if label else str(message) for message in errors)
    return out


def show_errors(request, error) -> None:
    """Each message as a page message (django.contrib.messages, level error), in the active language only."""
    for message in error_messages(error):
        messages.error(request, one_language(message))


def error_text(error, separator: str = "; ") -> str:
    return separator.join(error_messages(error))
