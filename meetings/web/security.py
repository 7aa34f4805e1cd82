"""Security headers on every answer, and CSRF protection for every state-changing form."""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from meetings.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script, ever
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csrf_config(settings: Settings, secret: str) -> CSRFConfig:
    """Double-submit cookie CSRF on every POST/PUT/PATCH/DELETE outside the bearer-token API."""
    return CSRFConfig(
        secret=secret,
        cookie_name="meetings_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        # /unsubscribe/: mail clients post RFC 8058 one-click unsubscribes without a token; the
        # signed token in the path is the proof there.
        exclude=["^/api/", "^/healthz$", "^/readyz$", "^/unsubscribe/"],
    )


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Before any answer leaves: the headers that keep browsers strict, and no caching of pages
    (they may show private meetings; only /static/ is cacheable)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ):
        if name not in headers:
            headers[name] = value
    if not scope["path"].startswith("/static/"):
        headers["Cache-Control"] = "no-store"
