"""Fixtures of the attachment tests: a private media folder, tasks run at once, owners and readers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marketdesk.attachments import access
from marketdesk.attachments.models import Attachment
from marketdesk.attachments.services import attachment_ingest
from marketdesk.core.actors import Actor
from tests import factories
from tests.attachments import samples


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores its files in its own folder (the attachments storage follows MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(media_root) -> Callable[[], list[str]]:
    """List the files in storage, relative to it."""
    return lambda: sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }


@pytest.fixture
def ingest(db) -> Callable[..., Attachment]:
    """Upload bytes as a person: ``ingest(user, data, "name.jpg")``."""
    return lambda user, data, name: attachment_ingest(actor=Actor.for_user(user), upload=samples.upload(data, name))


@pytest.fixture
def processed(ingest, immediate_tasks, django_capture_on_commit_callbacks) -> Callable[..., Attachment]:
    """Upload bytes and run the background processing as the worker would after the commit."""

    def run(user, data, name) -> Attachment:
        with django_capture_on_commit_callbacks(execute=True):
            attachment = ingest(user, data, name)
        attachment.refresh_from_db()
        return attachment

    return run


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, bytes]:
    directory = tmp_path_factory.mktemp("videos")
    return {
        "mp4": samples.video(directory, "mp4"),
        "mov": samples.video(directory, "mov"),
        "webm": samples.video(directory, "webm"),
        "gps.mov": samples.video(directory, "mov", gps=True),
    }


@pytest.fixture
def order(marketplace):
    """Stands in for the owner of attachments (the conversations app's message)."""
    return factories.OrderFactory(marketplace=marketplace)


@pytest.fixture
def readers(monkeypatch) -> Iterator[dict[int, bool]]:
    """Register a reader for orders that lets in the user ids set to True in the dict it yields."""
    allowed: dict[int, bool] = {}
    monkeypatch.setitem(
        access._READERS, "orders.order", lambda actor, attachment: allowed.get(getattr(actor.user, "pk", 0), False)
    )
    return allowed
