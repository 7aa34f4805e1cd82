"""Form posts: parsing, and re-showing a form with what was typed and a message per field."""

from __future__ import annotations

from typing import Any

from litestar.params import URLEncodedBody
from litestar.response import Template

FormData = URLEncodedBody[dict[str, Any]]
"""A urlencoded form as a dict of field name to value."""

PASSWORD_FIELDS = frozenset({"password", "current_password", "new_password"})


def _clean(value: Any) -> str:
    # NUL can't be typed, and PostgreSQL refuses to store it in text: drop it from every field.
    return str(value).replace("\x00", "")


def field(data: dict[str, Any], name: str) -> str:
    """One text field; a missing field reads as empty, a repeated one as its last value."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return _clean(value)


def values_of(data: dict[str, Any], name: str) -> list[str]:
    """Every non-empty value of a repeated field (checkboxes, multiple selects)."""
    value = data.get(name, [])
    return [_clean(v) for v in (value if isinstance(value, list) else [value]) if _clean(v)]


def form_error(
    template: str, context: dict[str, Any], errors: dict[str, str], data: dict[str, Any], status_code: int = 400
) -> Template:
    """Show the form again with each field as typed (passwords never) and the errors beside them."""
    values = {k: field(data, k) for k in data if k not in PASSWORD_FIELDS and k != "_csrf_token"}
    return Template(template, context={**context, "errors": errors, "values": values}, status_code=status_code)
