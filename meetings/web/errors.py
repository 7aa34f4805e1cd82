"""Exception handlers: friendly pages for people, RFC 9457 problem details for the API."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect, Template

from meetings.domain.errors import ForbiddenError, NotFoundError, ValidationError
from meetings.web.auth import SignInRequired, is_api, sign_in_redirect

logger = logging.getLogger("meetings.web")


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    if is_api(request):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _problem(request: Request[Any, Any, Any], status: int, detail: str, **extra: Any) -> Response[Any]:
    if _wants_json(request):
        body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
        body.update(extra)
        return Response(body, status_code=status, media_type="application/problem+json")
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return Template(
        template_name=template,
        context={"status": status, "title": HTTPStatus(status).phrase, "detail": detail, **extra},
        status_code=status,
        media_type=MediaType.HTML,
    )


def handle_not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """404 for a missing route or object (also for objects the visitor may not see)."""
    return _problem(request, 404, "There is nothing here, or you do not have access to it.")


def handle_sign_in_required(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    """Anonymous: pages send the visitor to sign in; the API answers 401."""
    if is_api(request):
        response = _problem(request, 401, "Send a personal API token: Authorization: Bearer <token>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="meetings"'
        return response
    return Redirect(sign_in_redirect(request), status_code=303)


def handle_forbidden(request: Request[Any, Any, Any], exc: ForbiddenError) -> Response[Any]:
    """403 for something the visitor may see but not change."""
    return _problem(request, 403, str(exc) or "You are not allowed to do this.")


def handle_validation(request: Request[Any, Any, Any], exc: ValidationError) -> Response[Any]:
    """422 with one message per field."""
    return _problem(request, 422, "Some fields need attention.", errors=exc.errors)


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Any other HTTP error Litestar raises (405, 400 from parameter parsing, ...)."""
    if exc.status_code >= 500:
        return handle_server_error(request, exc)
    response = _problem(request, exc.status_code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """500: log the traceback, show a calm page that reveals nothing internal."""
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    detail = "Something went wrong on our side. It has been logged; please try again."
    if request.app.debug:
        detail = f"{type(exc).__name__}: {exc}"
    return _problem(request, 500, detail)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotFoundException: handle_not_found,
    NotFoundError: handle_not_found,
    SignInRequired: handle_sign_in_required,
    ForbiddenError: handle_forbidden,
    ValidationError: handle_validation,
    HTTPException: handle_http,
    500: handle_server_error,
    Exception: handle_server_error,
}
