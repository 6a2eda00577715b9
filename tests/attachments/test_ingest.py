"""attachment_ingest: what is accepted, what is stored, and every refusal leaves nothing behind."""

from __future__ import annotations

import io
import resource
import tracemalloc
from pathlib import Path

import pytest
from django.db import DatabaseError
from PIL import Image

from marketdesk.attachments import errors
from marketdesk.attachments.models import Attachment
from marketdesk.attachments.services import attachment_ingest, display_name
from marketdesk.attachments.storage import attachment_storage
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.policies import policy_publish
from tests.attachments import samples

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def stored_bytes(attachment: Attachment) -> bytes:
    with attachment_storage().open(attachment.file.name, "rb") as fh:
        return fh.read()


def opened(attachment: Attachment) -> Image.Image:
    image = Image.open(io.BytesIO(stored_bytes(attachment)))
    image.load()
    return image


# --- accepted --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "kind", "mime", "suffix", "size"),
    [
        (samples.jpeg, "photo.jpg", "image", "image/jpeg", ".jpg", (64, 48)),
        (samples.png, "screen.png", "image", "image/png", ".png", (64, 48)),
        (samples.webp, "photo.webp", "image", "image/webp", ".webp", (64, 48)),
        (samples.animated_gif, "moving.gif", "image", "image/gif", ".gif", (64, 48)),
        (samples.heic, "IMG_0001.HEIC", "image", "image/jpeg", ".jpg", (64, 48)),
        (samples.pdf, "receipt.pdf", "pdf", "application/pdf", ".pdf", (None, None)),
    ],
    ids=["jpeg", "png", "webp", "gif", "heic", "pdf"],
)
def test_accepted_file_is_stored_under_a_name_of_our_own_with_its_real_type(
    buyer, ingest, stored_files, make, name, kind, mime, suffix, size
):
    attachment = ingest(buyer, make(), name)

    assert (attachment.kind, attachment.mime, (attachment.width, attachment.height)) == (kind, mime, size)
    assert (attachment.original_name, attachment.uploader, attachment.owner_type) == (name, buyer, "")
    assert attachment.file.name.startswith("attachments/2")
    assert attachment.file.name.endswith(suffix)
    assert stored_files() == [attachment.file.name]
    assert attachment.size == len(stored_bytes(attachment))


@pytest.mark.parametrize("container", ["mp4", "mov", "webm"])
def test_video_is_checked_with_ffprobe_and_stored_with_its_size_and_length(buyer, ingest, videos, container):
    attachment = ingest(buyer, videos[container], f"clip.{container}")

    assert (attachment.kind, attachment.mime) == (
        "video",
        {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}[container],
    )
    assert (attachment.width, attachment.height, attachment.duration_ms) == (96, 64, pytest.approx(1000, abs=100))
    assert attachment.file.name.endswith(f".{container}")


def test_image_and_video_wait_for_their_preview_and_a_pdf_is_ready_at_once(buyer, ingest):
    photo = ingest(buyer, samples.jpeg(), "a.jpg")
    document = ingest(buyer, samples.pdf(), "a.pdf")

    assert (photo.status, document.status) == ("processing", "ready")


def test_the_stored_hash_is_that_of_the_stored_bytes(buyer, ingest):
    import hashlib

    attachment = ingest(buyer, samples.png(), "a.png")

    assert attachment.sha256 == hashlib.sha256(stored_bytes(attachment)).hexdigest()


# --- metadata removed --------------------------------------------------------------------------------


def test_jpeg_with_gps_is_stored_without_any_exif_and_turned_upright(buyer, ingest):
    original = samples.jpeg_with_gps()
    assert b"Exif" in original
    assert Image.open(io.BytesIO(original)).getexif()

    attachment = ingest(buyer, original, "IMG_2041.jpg")

    data = stored_bytes(attachment)
    image = opened(attachment)
    assert b"Exif" not in data
    assert b"GPS" not in data
    assert b"PhoneMaker" not in data
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    assert b"xmpmeta" not in data
    assert b"taken at home" not in data
    # Orientation 6 (turn 90° clockwise) is applied to the pixels: 64×48 becomes 48×64.
    assert (image.size, attachment.width, attachment.height) == ((48, 64), 48, 64)


def test_png_with_html_appended_is_stored_re_encoded_without_the_html(buyer, ingest):
    attachment = ingest(buyer, samples.png_with_html(), "screenshot.png")

    data = stored_bytes(attachment)
    assert b"<script>" not in data
    assert b"html" not in data.lower()
    assert data.endswith(b"IEND\xaeB`\x82")
    assert opened(attachment).size == (64, 48)


def test_animated_gif_keeps_its_first_frame_only_and_loses_its_comment(buyer, ingest):
    attachment = ingest(buyer, samples.animated_gif(), "moving.gif")

    image = opened(attachment)
    assert (getattr(image, "n_frames", 1), "comment" in image.info) == (1, False)


def test_video_metadata_with_the_location_is_dropped(buyer, ingest, videos):
    assert b"51.5074" in videos["gps.mov"]

    attachment = ingest(buyer, videos["gps.mov"], "clip.mov")

    data = stored_bytes(attachment)
    assert b"51.5074" not in data
    assert b"At home" not in data


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\Desktop\\receipt.pdf", "receipt.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("bad\x00name\n.png", "badname.png"),
        ("  ..  ", "attachment"),
        ("", "attachment"),
        ("a" * 300 + ".jpeg", "a" * 115 + ".jpeg"),
    ],
    ids=["plain", "path", "windows-path", "rtl-override", "control", "dots", "empty", "long"],
)
def test_the_uploaded_name_is_kept_for_display_only_and_made_harmless(raw, shown):
    assert display_name(raw) == shown


# --- refused, and nothing stored ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "error"),
    [
        (samples.exe, "invoice.jpg", errors.FileTypeRefused),
        (lambda: samples.HTML, "photo.png", errors.FileTypeRefused),
        (lambda: samples.SVG, "photo.png", errors.FileTypeRefused),
        (samples.zip_archive, "clip.mp4", errors.FileTypeRefused),
        (lambda: b"just some text\n" * 10, "notes.pdf", errors.FileTypeRefused),
        (samples.bomb_png, "big.png", errors.ImageTooManyPixels),
        (samples.truncated_jpeg, "cut.jpg", errors.ImageDamaged),
        (lambda: samples.jpeg()[:200], "cut-early.jpg", errors.ImageDamaged),
        (lambda: samples.png()[:60], "cut.png", errors.ImageDamaged),
        (lambda: b"", "empty.jpg", errors.FileEmpty),
        (lambda: samples.pdf()[:40], "cut.pdf", errors.PdfDamaged),
        (lambda: samples.jpeg()[:3] + b"\x00" * 500, "fake.jpg", errors.ImageDamaged),
    ],
    ids=[
        "exe-named-jpg",
        "html-named-png",
        "svg-named-png",
        "zip-named-mp4",
        "text-named-pdf",
        "decompression-bomb",
        "truncated-jpeg",
        "jpeg-header-only",
        "truncated-png",
        "empty",
        "truncated-pdf",
        "jpeg-magic-then-zeros",
    ],
)
def test_bad_input_is_refused_with_its_own_message_and_nothing_is_stored(
    buyer, ingest, stored_files, make, name, error
):
    with pytest.raises(error) as refused:
        ingest(buyer, make(), name)

    assert refused.type is error
    assert refused.value.field == "file"
    assert str(refused.value.message)
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_a_video_container_with_nothing_playable_inside_is_refused(buyer, ingest, videos, stored_files):
    fake = videos["mp4"][:40] + b"\x00" * 2000  # an MP4 header, then nothing ffprobe can read

    with pytest.raises(errors.VideoDamaged):
        ingest(buyer, fake, "clip.mp4")

    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_error_messages_say_what_is_wrong(buyer, ingest):
    with pytest.raises(errors.FileTypeRefused) as refused:
        ingest(buyer, samples.exe(), "invoice.jpg")

    assert str(refused.value.message) == (
        "This kind of file is not accepted. Upload a photo (JPEG, PNG, WebP, HEIC or GIF), "
        "a video (MP4, MOV or WebM) or a PDF."
    )
    assert refused.value.problem()["code"] == "file_type_not_accepted"


def test_pixels_between_the_limit_and_twice_it_are_refused_too(buyer, ingest, settings):
    # Pillow only warns there; the setting is checked from the header before decoding.
    settings.ATTACHMENT_MAX_IMAGE_PIXELS = 2000

    with pytest.raises(errors.ImageTooManyPixels):
        ingest(buyer, samples.png((64, 48)), "a.png")  # 3072 pixels


def test_pillows_bomb_warning_is_a_refusal(buyer, ingest, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)  # 3072 pixels: Pillow warns, does not raise

    with pytest.raises(errors.ImageTooManyPixels):
        ingest(buyer, samples.png((64, 48)), "a.png")


def _rss_mb() -> float:
    fields = Path("/proc/self/status").read_text().split("VmRSS:")[1].split()
    return int(fields[0]) / 1024


def test_a_64_megapixel_photo_is_decoded_in_a_child_process_not_in_this_one(buyer, ingest):
    # 8000 × 8000 RGB: 192 MB of pixels once decoded, from a file of a few hundred KB.
    data = samples.black_rgb_png(8000)
    before = _rss_mb()

    attachment = ingest(buyer, data, "big.png")

    children_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert (attachment.width, attachment.height) == (8000, 8000)
    assert children_peak_mb > 192
    assert _rss_mb() - before < 50


def test_a_file_of_51_mb_is_refused_by_its_size_before_a_byte_is_read(buyer, tmp_path, stored_files):
    upload = samples.big_upload(samples.sparse_file(tmp_path / "big.jpg", 51 * MB))

    with pytest.raises(errors.FileTooLarge) as refused:
        attachment_ingest(actor=Actor.for_user(buyer), upload=upload)

    assert str(refused.value.message) == "The file is larger than 50 MB."
    assert (upload.file.bytes_read, Attachment.objects.count(), stored_files()) == (0, 0, [])


def test_a_51_mb_file_that_claims_to_be_small_is_read_in_chunks_and_refused_at_the_limit(buyer, tmp_path, stored_files):
    upload = samples.big_upload(samples.sparse_file(tmp_path / "big.jpg", 51 * MB), declared_size=1000)

    tracemalloc.start()
    with pytest.raises(errors.FileTooLarge):
        attachment_ingest(actor=Actor.for_user(buyer), upload=upload)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert 50 * MB < upload.file.bytes_read <= 50 * MB + 256 * 1024
    assert peak < 4 * MB  # a chunk at a time, never the whole file
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_the_size_limit_is_the_policy_in_force(buyer, ingest, system_actor):
    policy_publish(actor=system_actor, changes={"attachment_max_mb": 1})

    with pytest.raises(errors.FileTooLarge) as refused:
        ingest(buyer, samples.pdf() + b"\x00" * MB, "a.pdf")

    assert str(refused.value.message) == "The file is larger than 1 MB."


def test_a_database_failure_after_storing_leaves_no_file(buyer, ingest, stored_files, monkeypatch):
    def fail(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Attachment.objects, "create", fail)

    with pytest.raises(DatabaseError):
        ingest(buyer, samples.png(), "a.png")

    assert stored_files() == []


def test_without_a_person_nothing_can_be_uploaded(marketplace_actor):
    with pytest.raises(PermissionDenied):
        attachment_ingest(actor=marketplace_actor, upload=samples.upload(samples.png(), "a.png"))


def test_no_file_is_refused_with_a_message(buyer):
    with pytest.raises(errors.FileMissing) as refused:
        attachment_ingest(actor=Actor.for_user(buyer), upload=None)

    assert str(refused.value.message) == "Choose a file to upload."
