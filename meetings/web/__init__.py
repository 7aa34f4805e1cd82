"""The web layer: controllers, forms and live handlers. Thin: each handler calls the domain."""

from meetings.web.health import healthz, readyz
from meetings.web.pages import PageController

ROUTE_HANDLERS = [healthz, readyz, PageController]

__all__ = ["ROUTE_HANDLERS"]
