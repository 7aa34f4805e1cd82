"""Checks on JSON API bodies that no single handler should have to repeat."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from meetings.domain.errors import ValidationError

# A NUL character in a JSON string is spelled \u0000 (after an even number of backslashes: "\\u0000"
# is a backslash followed by the text "u0000", which is fine).
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """PostgreSQL can't store NUL in text, and nobody types one: a JSON body holding one is refused
    (422, as any bad field) before a handler could try to save it. Forms drop NULs instead
    (``web/forms.py``)."""
    if request.method in {"POST", "PUT", "PATCH"} and request.url.path.startswith("/api/"):
        if _NUL.search(await request.body()):
            raise ValidationError({"body": "Text must not contain NUL characters (\\u0000)."})
