"""Renders emails from Jinja templates: ``emails/<name>.subject.txt``, ``.txt`` and ``.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from meetings.domain.notification_prefs import unsubscribe_token
from meetings.domain.outbox import EmailContent

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


class JinjaEmailComposer:
    """Implements ``domain.outbox.EmailComposer`` with the templates in templates/emails/."""

    def __init__(self, base_url: str, secret_key: str) -> None:
        self.base_url = base_url
        self._secret_key = secret_key
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,  # a missing value is a bug, not an empty line in someone's inbox
            keep_trailing_newline=True,
        )

    @property
    def message_id_domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        return f"{self.base_url}/unsubscribe/{unsubscribe_token(self._secret_key, user_id, kind)}"

    def compose(self, template: str, context: dict[str, Any]) -> EmailContent:
        values = {"base_url": self.base_url, **context}
        subject = self.env.get_template(f"emails/{template}.subject.txt").render(values)
        return EmailContent(
            subject=" ".join(subject.split()),  # one line, whatever the template or the values hold
            text=self.env.get_template(f"emails/{template}.txt").render(values),
            html=self.env.get_template(f"emails/{template}.html").render(values),
        )
