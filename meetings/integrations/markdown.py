"""Markdown that people write (talking points, notes) rendered to HTML that is safe to show.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 (the Rust ammonia sanitiser) then
keeps only an allow-list of tags and attributes, so that a link can never carry script.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(["table", "strikethrough"])


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for ``text``; links open outside the app without passing the referrer."""
    if not text:
        return Markup("")
    html = _parser().render(text)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
