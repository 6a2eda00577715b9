"""The browser side: the snippet base templates include, and the script it loads."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def test_the_snippet_loads_the_script_with_the_stream_url_and_the_render_time(frozen_clock) -> None:
    html = render_to_string("live/_client.html")

    assert html.strip() == (
        '<script src="/static/live/live.js" data-live-url="/live/" '
        f'data-live-since="{int(frozen_clock.now().timestamp())}" '
        'data-live-stale="This changed while you were writing. What you wrote is kept: send it, or show the '
        'changes (what you wrote here will be lost)." data-live-show="Show the changes" defer></script>'
    )


def test_the_script_ships_with_the_app_and_needs_no_cdn() -> None:
    path = finders.find("live/live.js")

    assert path is not None
    script = Path(path).read_text(encoding="utf-8")
    assert "new EventSource(" in script
    assert 'new CustomEvent("live:" + name, { detail: detail })' in script
    assert "seen.has(payload.id)" in script
    assert "://" not in script
