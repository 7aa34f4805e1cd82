"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from litestar import Request, get
from litestar.response import Response
from sqlalchemy.exc import SQLAlchemyError

from meetings.db import Database

logger = logging.getLogger("meetings.web")


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@get("/readyz", sync_to_thread=True, include_in_schema=False)
def readyz(request: Request) -> Response[dict[str, str]]:
    """The process can serve requests: the database answers."""
    database: Database = request.app.state.db
    try:
        database.ping()
    except SQLAlchemyError as exc:
        logger.warning("Readiness check failed: database unreachable: %s", exc)
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": database.backend})
