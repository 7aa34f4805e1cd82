"""The app factory: the one place that wires settings, database, routes, templates and logging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from meetings import __version__
from meetings.db import Database
from meetings.domain.agenda_templates import builtin_templates
from meetings.domain.invitations import Invitations
from meetings.domain.live_notes import stored_state
from meetings.domain.rsvp import RsvpLinks
from meetings.integrations.broker import broker_for
from meetings.integrations.calendar_invites import ICalendarInvitations
from meetings.integrations.email_delivery import SmtpTransport
from meetings.integrations.email_templates import JinjaEmailComposer
from meetings.jobs import background_scheduler
from meetings.settings import Settings
from meetings.web import ROUTE_HANDLERS
from meetings.web.api.body_checks import refuse_nul_characters
from meetings.web.auth import provide_actor, provide_current_user, provide_user
from meetings.web.dependencies import provide_db_session, provide_now
from meetings.web.errors import EXCEPTION_HANDLERS
from meetings.web.live_hub import LiveHub
from meetings.web.security import add_security_headers, csrf_config
from meetings.web.template_filters import register_filters

PACKAGE_DIR = Path(__file__).parent
NODE_MODULES = PACKAGE_DIR.parent / "node_modules"


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> Litestar:
    """Build the ASGI app for ``settings``. Opens no connection until the first request.

    ``clock`` returns the current aware time; tests pass a fixed one instead of the machine's.
    """
    builtin_templates()  # a broken template file stops the start, with a message naming it
    database = Database(settings.resolved_database_url)
    secret_key = settings.resolved_secret_key()

    clock = clock or (lambda: datetime.now(UTC))

    def load_note_state(meeting_id: int, scope: str) -> bytes:
        with database.session(write=False) as session:
            return stored_state(session, meeting_id, scope)

    live = LiveHub(broker_for(settings.broker_url), load_note_state)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        scheduler = background_scheduler(database, clock, settings) if settings.scheduler else None
        if scheduler is not None:
            scheduler.start()
        await live.start()
        try:
            yield
        finally:
            await live.close()
            if scheduler is not None:
                scheduler.shutdown(wait=True)
            database.dispose()

    template_config = TemplateConfig(
        directory=PACKAGE_DIR / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=lambda engine: register_filters(engine.engine, settings),
    )
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"], name="static"),
            # Browser libraries installed from the npm registry by `make` (package-lock.json).
            create_static_files_router(path="/static/vendor", directories=[NODE_MODULES], name="vendor"),
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "now": Provide(provide_now, sync_to_thread=False),
            "current_user": Provide(provide_current_user, sync_to_thread=True),
            "user": Provide(provide_user, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=True),
        },
        csrf_config=csrf_config(settings, secret_key),
        before_send=[add_security_headers],
        before_request=refuse_nul_characters,
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=template_config,
        lifespan=[lifespan],
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            # APScheduler logs every run of every job at INFO (several a minute); our jobs log what they did.
            loggers={"apscheduler": {"level": "WARNING"}},
            log_exceptions="debug" if settings.debug else "never",  # errors.py logs 500s itself
        ),
        # The interactive API pages load scripts from a CDN, which an offline install can't reach;
        # serve the schema itself only.
        openapi_config=OpenAPIConfig(
            title="Meetings API", version=__version__, path="/api/schema", render_plugins=[JsonRenderPlugin()]
        ),
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.secret_key = secret_key  # signs unsubscribe links (and the CSRF cookie)
    app.state.email_composer = JinjaEmailComposer(settings.base_url, secret_key)
    app.state.invitations = Invitations(app.state.email_composer, ICalendarInvitations(settings.base_url),
                                        RsvpLinks(secret_key))
    app.state.mail_transport = SmtpTransport(settings.smtp_url) if settings.smtp_url else None
    app.state.clock = clock
    app.state.live = live
    return app


def create_app_from_env() -> Litestar:
    """ASGI factory for ``uvicorn --factory`` and ``meetings serve``: settings from the environment."""
    return create_app(Settings.from_env())
