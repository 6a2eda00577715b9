"""What a file really is, and a clean copy of it: the checks behind ``attachment_ingest``.

Nothing here trusts the file's name or the browser's content type. The type is sniffed from the
first bytes (puremagic, never given the name), then the file must survive the strict reader of
that type: Pillow restricted to that one format for photos, ffprobe with that one demuxer for
videos, the PDF header and end marker for documents. What is stored is a copy made by us:

- photos are decoded (in a child process, ``reencode``, a few at a time: the web process never
  holds their pixels), turned upright (EXIF orientation) and converted to sRGB, then encoded
  afresh with no EXIF, XMP, GPS, ICC profile or comment — bytes appended after the image (an
  HTML page behind a PNG) do not survive. HEIC becomes JPEG. Of an animated GIF or WebP only the
  first frame is kept: a photo of the problem is what a dispute needs, and a video can show motion;
- videos are remuxed without re-encoding, dropping container and stream metadata (phones write
  the GPS location there) and any stream that is not video or audio;
- PDFs are kept as uploaded and only ever served as downloads.

These functions touch only local paths; storage and the database are the service's.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import puremagic
from django.conf import settings
from PIL import Image

from marketdesk.attachments import reencode
from marketdesk.attachments.errors import (
    FileTypeRefused,
    ImageDamaged,
    ImageTooManyPixels,
    PdfDamaged,
    VideoDamaged,
)
from marketdesk.attachments.models import AttachmentKind

log = logging.getLogger(__name__)

SNIFF_BYTES = 64 * 1024
THUMBNAIL_BOX = (320, 320)
POSTER_MAX_WIDTH = 1280
FFMPEG_TIMEOUT = 120  # seconds; a 50 MB remux takes about one
PROBE_TIMEOUT = 30  # reading a container's header is instant; anything slower is refused
VIDEO_CODECS = frozenset({"h264", "hevc", "mpeg4", "vp8", "vp9", "av1"})


@dataclass(frozen=True)
class FileType:
    """One accepted type: how it is recognised, read and stored."""

    sniffed: str  # the MIME type puremagic names
    kind: str
    mime: str  # the MIME type of what is stored and served
    ext: str
    reader: str  # Pillow format (images) or ffmpeg demuxer (videos)
    writer: str  # Pillow format or ffmpeg muxer of the stored copy


_T = AttachmentKind
TYPES: dict[str, FileType] = {
    t.sniffed: t
    for t in (
        # HEIF first: an ISO media file's header also matches "video/mp4", and the strict reader decides.
        FileType("image/heic", _T.IMAGE, "image/jpeg", ".jpg", "HEIF", "JPEG"),
        FileType("image/heif", _T.IMAGE, "image/jpeg", ".jpg", "HEIF", "JPEG"),
        FileType("image/jpeg", _T.IMAGE, "image/jpeg", ".jpg", "JPEG", "JPEG"),
        FileType("image/png", _T.IMAGE, "image/png", ".png", "PNG", "PNG"),
        FileType("image/webp", _T.IMAGE, "image/webp", ".webp", "WEBP", "WEBP"),
        FileType("image/gif", _T.IMAGE, "image/gif", ".gif", "GIF", "GIF"),
        FileType("video/quicktime", _T.VIDEO, "video/quicktime", ".mov", "mov", "mov"),
        FileType("video/mp4", _T.VIDEO, "video/mp4", ".mp4", "mov", "mp4"),
        FileType("video/webm", _T.VIDEO, "video/webm", ".webm", "matroska", "webm"),
        FileType("application/pdf", _T.PDF, "application/pdf", ".pdf", "", ""),
    )
}
#: Stored photo MIME type → the Pillow format it was written in.
STORED_IMAGE_FORMATS = {t.mime: t.writer for t in TYPES.values() if t.kind == _T.IMAGE}


@dataclass(frozen=True)
class Prepared:
    """The clean copy to store, and what was learnt about it."""

    path: Path
    type: FileType
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None


def sniff(path: Path) -> FileType:
    """Return the accepted type of the file's content, or refuse it."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        matches = puremagic.magic_string(head)  # never the name: it is the uploader's to choose
    except (puremagic.PureError, ValueError) as exc:
        raise FileTypeRefused from exc
    if not matches:
        raise FileTypeRefused
    best = matches[0].confidence
    candidates = {m.mime_type for m in matches if m.confidence >= best}
    for sniffed, file_type in TYPES.items():
        if sniffed in candidates:
            return file_type
    raise FileTypeRefused


def prepare(source: Path, file_type: FileType, workdir: Path) -> Prepared:
    """Check the file against its type's strict reader and return the copy to store."""
    if file_type.kind == _T.IMAGE:
        return image_prepare(source, file_type, workdir / f"clean{file_type.ext}")
    if file_type.kind == _T.VIDEO:
        return video_prepare(source, file_type, workdir / f"clean{file_type.ext}")
    return pdf_prepare(source, file_type)


# --- images ------------------------------------------------------------------------------------------


def _max_pixels() -> int:
    return int(settings.ATTACHMENT_MAX_IMAGE_PIXELS)


# How many photos are decoded at once in this process's children: each may take some 250 MB while
# it runs; more uploads wait their turn (in their own threads: Django runs sync views in one each).
_DECODES = threading.BoundedSemaphore(max(1, int(settings.ATTACHMENT_IMAGE_DECODES)))
# Wall seconds before a decode is given up: only a backstop, since the child is bound by CPU time
# (reencode.DECODE_CPU_SECONDS) and runs behind the web process, so a busy machine may slow it a lot.
DECODE_TIMEOUT = 300


def _check_header(source: Path, file_type: FileType) -> None:
    """Refuse a bomb or an unreadable header here, before a child is started; no pixel is decoded."""
    too_many = ImageTooManyPixels(max_megapixels=_max_pixels() // 1_000_000)
    try:
        reencode.open_image(source, file_type.reader, _max_pixels()).close()
    except reencode.TooManyPixels as exc:
        raise too_many from exc
    except Exception as exc:  # decoders raise many types for bad input; all mean "unreadable"
        raise ImageDamaged from exc


def image_prepare(source: Path, file_type: FileType, target: Path) -> Prepared:
    """Decode the photo, turn it upright, and write it afresh without metadata, in a child process."""
    _check_header(source, file_type)
    args = [sys.executable, "-m", "marketdesk.attachments.reencode", str(source), str(target)]
    args += [file_type.reader, file_type.writer, str(_max_pixels())]
    with _DECODES:
        try:
            result = _run(args, timeout=DECODE_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ImageDamaged from exc
    if result.returncode == reencode.EXIT_TOO_MANY_PIXELS:
        raise ImageTooManyPixels(max_megapixels=_max_pixels() // 1_000_000)
    if result.returncode in (reencode.EXIT_DAMAGED, -signal.SIGXCPU):  # SIGXCPU: past its CPU time
        raise ImageDamaged
    if result.returncode != 0:
        raise OSError(f"re-encoding failed: {result.stderr[-500:].decode(errors='replace')}")
    size = json.loads(result.stdout)
    return Prepared(path=target, type=file_type, width=size["width"], height=size["height"])


def image_thumbnail(stored: IO[bytes], mime: str) -> bytes:
    """Return a small WebP of a stored (already clean) photo."""
    with Image.open(stored, formats=[STORED_IMAGE_FORMATS[mime]]) as image:
        # JPEG decodes straight at a fraction of its size: much faster, far less memory.
        image.draft("RGB", (THUMBNAIL_BOX[0] * 2, THUMBNAIL_BOX[1] * 2))
        small = image.convert("RGBA" if image.has_transparency_data else "RGB")
    small.thumbnail(THUMBNAIL_BOX)
    out = io.BytesIO()
    reencode.save_clean(small, out, "WEBP", quality=80)
    return out.getvalue()


# --- videos ------------------------------------------------------------------------------------------


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install Debian's ffmpeg package (make install does)")
    return path


def _run(args: list[str], *, timeout: int = FFMPEG_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    # Only local files, and only through the demuxer named with -f: no playlists, no network, no
    # guessing the format from the content (which would let a file pick a different parser).
    return subprocess.run(  # noqa: S603 - fixed arguments, paths we made
        args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
    )


def video_probe(path: Path, file_type: FileType) -> dict[str, Any]:
    """Return ffprobe's view of the container, or refuse a file that is not a real video of its type."""
    try:
        result = _run(
            [
                _binary("ffprobe"),
                *("-v", "error", "-protocol_whitelist", "file", "-f", file_type.reader),
                *("-show_entries", "format=format_name,duration:stream=codec_type,codec_name,width,height"),
                *("-of", "json", f"file:{path}"),
            ],
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise VideoDamaged from exc
    if result.returncode != 0:
        raise VideoDamaged
    try:
        info = json.loads(result.stdout)
    except ValueError as exc:
        raise VideoDamaged from exc
    videos = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not videos or videos[0].get("codec_name") not in VIDEO_CODECS:
        raise VideoDamaged
    return {
        "width": int(videos[0].get("width") or 0) or None,
        "height": int(videos[0].get("height") or 0) or None,
        "duration_ms": round(float(info.get("format", {}).get("duration") or 0) * 1000) or None,
    }


def video_prepare(source: Path, file_type: FileType, target: Path) -> Prepared:
    """Probe the video, then copy its video and audio into a fresh container without metadata."""
    probed = video_probe(source, file_type)
    try:
        result = _run(
            [
                _binary("ffmpeg"),
                *("-nostdin", "-v", "error", "-xerror", "-protocol_whitelist", "file"),
                *("-f", file_type.reader, "-i", f"file:{source}"),
                *("-map", "0:v", "-map", "0:a?", "-c", "copy"),
                *("-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1", "-map_chapters", "-1"),
                *("-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"),
                *(("-movflags", "+faststart") if file_type.writer in ("mp4", "mov") else ()),
                *("-f", file_type.writer, "-y", f"file:{target}"),
            ]
        )
    except subprocess.TimeoutExpired as exc:
        raise VideoDamaged from exc
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        log.info("video remux refused: %s", result.stderr[-500:].decode(errors="replace"))
        raise VideoDamaged
    return Prepared(path=target, type=file_type, **probed)


def video_poster(path: Path, file_type: FileType, target: Path) -> None:
    """Write a JPEG of a representative early frame of a stored video."""
    result = _run(
        [
            _binary("ffmpeg"),
            *("-nostdin", "-v", "error", "-protocol_whitelist", "file"),
            *("-f", file_type.reader, "-i", f"file:{path}"),
            *("-map", "0:v:0", "-vf", f"thumbnail=30,scale='min({POSTER_MAX_WIDTH},iw)':-2", "-frames:v", "1"),
            *("-map_metadata", "-1", "-f", "image2", "-c:v", "mjpeg", "-q:v", "3", "-y", f"file:{target}"),
        ]
    )
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise RuntimeError(f"ffmpeg made no poster: {result.stderr[-500:].decode(errors='replace')}")


# --- PDF ---------------------------------------------------------------------------------------------


def pdf_prepare(source: Path, file_type: FileType) -> Prepared:
    """Accept a PDF that starts as one and is not cut off (readers look for %%EOF at the end)."""
    size = source.stat().st_size
    with source.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head or b"%%EOF" not in tail:
        raise PdfDamaged
    return Prepared(path=source, type=file_type)
