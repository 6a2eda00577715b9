"""Article Markdown to safe HTML: CommonMark without raw HTML, then an allow-list sanitizer."""

from __future__ import annotations

import functools
import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

from marketdesk.core.policies import Policy
from marketdesk.helpcenter.placeholders import policy_fill

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
_INLINE_TAG_RE = re.compile(r"</?(?:a|strong|em|code)\b[^>]*>")
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


@functools.cache
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in the source is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_to_html(source: str) -> str:
    """Render Markdown and keep only the allowed tags, attributes and link schemes."""
    raw = _markdown().render(source)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def article_html(body_markdown: str, policy: Policy, language: str = "en") -> str:
    """Render an article body with the policy's numbers filled in (units in ``language``)."""
    return markdown_to_html(policy_fill(body_markdown, policy, language))


def plain_text(html: str) -> str:
    """Return the visible text of rendered HTML on one line."""
    # Inline tags vanish without a trace ("<strong>A</strong>: b" → "A: b"); block tags separate words.
    text = _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", html))
    return _SPACE_RE.sub(" ", unescape(text)).strip()
