"""Previews in the background: a thumbnail for photos, a poster frame and thumbnail for videos."""

from __future__ import annotations

import io
from functools import partial

import pytest
from django.tasks import default_task_backend
from PIL import Image

from marketdesk.attachments import media
from marketdesk.attachments.services import attachment_process, attachments_purge_unclaimed
from marketdesk.attachments.states import ATTACHMENT_TRANSITIONS, AttachmentStatus
from marketdesk.attachments.storage import attachment_storage
from marketdesk.core.actors import Actor, Role
from tests import transition_spec
from tests.attachments import samples
from tests.core.transition_matrix import TransitionMatrix, actor_for_role, timeline_of

pytestmark = pytest.mark.django_db

MATRIX = TransitionMatrix(ATTACHMENT_TRANSITIONS, transition_spec.ATTACHMENTS, roles=tuple(Role.values))


def image_of(name: str) -> Image.Image:
    with attachment_storage().open(name, "rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
    return image


def test_a_photo_gets_a_webp_thumbnail_and_is_ready(buyer, processed, stored_files):
    attachment = processed(buyer, samples.jpeg((800, 600)), "a.jpg")

    thumbnail = image_of(attachment.thumbnail.name)
    assert (attachment.status, attachment.poster.name) == ("ready", "")
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 240))
    assert stored_files() == sorted([attachment.file.name, attachment.thumbnail.name])
    assert [e.event_type for e in timeline_of(attachment)] == ["attachment.processed"]


def test_a_transparent_png_keeps_its_transparency_in_the_thumbnail(buyer, processed):
    attachment = processed(buyer, samples.png((64, 48), "RGBA"), "a.png")

    assert image_of(attachment.thumbnail.name).mode == "RGBA"


@pytest.mark.parametrize("container", ["mp4", "mov", "webm"])
def test_a_video_gets_a_poster_frame_and_a_thumbnail(buyer, processed, videos, container):
    attachment = processed(buyer, videos[container], f"clip.{container}")

    poster = image_of(attachment.poster.name)
    assert attachment.status == "ready"
    assert (poster.format, poster.size) == ("JPEG", (96, 64))
    assert image_of(attachment.thumbnail.name).format == "WEBP"


def test_uploading_only_enqueues_the_processing_after_the_commit(buyer, ingest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        attachment = ingest(buyer, samples.jpeg(), "a.jpg")

    assert (attachment.status, len(callbacks)) == ("processing", 1)
    assert callbacks[0].func.__name__ == "_enqueue_processing"
    assert isinstance(callbacks[0], partial)
    assert callbacks[0].args == (attachment.pk,)


def test_the_task_is_enqueued_on_the_configured_backend(buyer, ingest, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        attachment = ingest(buyer, samples.jpeg(), "a.jpg")

    assert default_task_backend.alias == "default"
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("marketdesk.attachments.tasks.process_attachment", {"args": [attachment.pk], "kwargs": {}})
    ]


def test_a_failed_preview_marks_the_attachment_and_leaves_no_partial_files(buyer, ingest, stored_files, monkeypatch):
    attachment = ingest(buyer, samples.jpeg(), "a.jpg")

    def broken(*args, **kwargs):
        raise OSError("decoder crashed")

    monkeypatch.setattr(media, "image_thumbnail", broken)
    ready = attachment_process(actor=Actor.system(), attachment_id=attachment.pk)

    attachment.refresh_from_db()
    assert (ready, attachment.status, attachment.thumbnail.name) == (False, "failed", "")
    assert stored_files() == [attachment.file.name]
    assert [(e.event_type, e.payload["extra"]) for e in timeline_of(attachment)] == [
        ("attachment.processing_failed", {"error": "OSError"})
    ]


def test_processing_twice_does_nothing_the_second_time(buyer, processed, stored_files):
    attachment = processed(buyer, samples.jpeg(), "a.jpg")

    again = attachment_process(actor=Actor.system(), attachment_id=attachment.pk)

    assert (again, len(stored_files()), timeline_of(attachment).count()) == (False, 2, 1)


def test_uploads_never_attached_are_purged_after_a_day_with_their_files(
    buyer, order, processed, stored_files, frozen_clock
):
    import datetime as dt

    from marketdesk.attachments.models import Attachment
    from marketdesk.attachments.services import attachments_claim

    kept = processed(buyer, samples.jpeg(), "kept.jpg")
    attachments_claim(actor=Actor.for_user(buyer), ids=[kept.pk], owner=order)
    left = processed(buyer, samples.jpeg(), "left.jpg")
    frozen_clock.advance(dt.timedelta(hours=25))
    fresh = processed(buyer, samples.jpeg(), "fresh.jpg")

    purged = attachments_purge_unclaimed(actor=Actor.system())

    assert purged == 1
    assert set(Attachment.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert left.file.name not in stored_files()
    assert len(stored_files()) == 4


# --- the transition table -----------------------------------------------------------------------------


@pytest.fixture
def attachment_in(buyer, ingest):
    def make(status: str):
        attachment = ingest(buyer, samples.jpeg(), "a.jpg")
        type(attachment).objects.filter(pk=attachment.pk).update(status=status)  # a fixture in that state
        attachment.refresh_from_db()
        return attachment

    return make


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    assert MATRIX.pairs_covered() == {(s, t) for s in AttachmentStatus.values for t in AttachmentStatus.values}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(attachment_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(attachment_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(attachment_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(attachment_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(attachment_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(attachment_in(source), target=target, actor=actor_as(role))
