"""Files to upload, made in code: good ones of every accepted type and the bad ones the issue names."""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import ExifTags, Image, ImageCms

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"></svg>\n'
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>GPSLatitude 51.5074</rdf:RDF></x:xmpmeta>'
MB = 1024 * 1024


def upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """An upload as Django hands it to a view (the content type is the browser's claim, never used)."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def _image(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size)
    # A gradient rather than a flat colour: encoders keep it, so a lost or rotated image shows.
    image.putdata(
        [((x * 4) % 256, (y * 4) % 256, 128, x % 256)[: len(mode)] for y in range(size[1]) for x in range(size[0])]
    )
    return image


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    return _encode(_image(size), "JPEG", quality=90)


def jpeg_with_gps() -> bytes:
    """A phone photo: GPS position, camera, orientation (rotate 90°), ICC profile, XMP and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.64),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.96),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _encode(_image(), "JPEG", exif=exif, icc_profile=icc, xmp=XMP, comment=b"taken at home")


def png(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    return _encode(_image(size, mode), "PNG")


def png_with_html() -> bytes:
    return png() + HTML


def webp() -> bytes:
    return _encode(_image(), "WEBP", quality=80)


def animated_gif() -> bytes:
    frames = [_image().convert("P"), Image.new("RGB", (64, 48), "red").convert("P")]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0, comment=b"hello")


def heic() -> bytes:
    return _encode(_image(), "HEIF", quality=80)


def truncated_jpeg() -> bytes:
    noise = Image.effect_noise((256, 256), 64).convert("RGB")
    whole = _encode(noise, "JPEG", quality=95)
    return whole[: len(whole) * 6 // 10]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def bomb_png(side: int = 30_000) -> bytes:
    """A ~110 KB PNG of side × side pixels (900 megapixels: gigabytes once decoded)."""
    row = b"\x00" * (1 + side // 8)  # filter byte + 1-bit pixels
    packer = zlib.compressobj(9)
    block = row * 1000
    body = b"".join(packer.compress(block) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


@functools.cache
def black_rgb_png(side: int) -> bytes:
    """A black side × side RGB PNG: a few hundred KB, side² × 3 bytes once decoded."""
    row = b"\x00" * (1 + side * 3)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row * 100) for _ in range(side // 100)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def exe() -> bytes:
    """The start of a Windows program: an MZ header pointing at a PE header."""
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64))
    return bytes(dos) + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 1) + b"\x00" * 400


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("invoice.exe", exe())
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def video(directory: Path, container: str, *, gps: bool = False) -> bytes:
    """One second of ffmpeg's test picture (and a tone) as mp4, mov or webm."""
    target = directory / f"clip{'-gps' if gps else ''}.{container}"
    codecs = ["-c:v", "libvpx", "-c:a", "libopus"] if container == "webm" else ["-pix_fmt", "yuv420p", "-c:a", "aac"]
    metadata = ["-metadata", "location=+51.5074-000.1278/", "-metadata", "title=At home"] if gps else []
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-f", "lavfi", "-i", "sine=frequency=440"),
            *("-t", "1", *codecs, *metadata, str(target)),
        ],
        check=True,
    )
    return target.read_bytes()


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes that takes no disk space and is never in memory."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def big_upload(path: Path, *, declared_size: int | None = None) -> UploadedFile:
    """An upload backed by a file on disk, as Django's TemporaryUploadedFile is; ``declared_size`` may lie."""
    fh = CountingFile(path, "rb")
    size = path.stat().st_size if declared_size is None else declared_size
    return UploadedFile(file=fh, name="holiday.jpg", content_type="image/jpeg", size=size)


def fresh_upload_json(attachment: Any, *, url: str) -> dict[str, Any]:
    """What the upload endpoints answer for a 64×48 photo just stored (its preview still to come)."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "kind": "image",
        "mime": attachment.mime,
        "size": attachment.size,
        "width": 64,
        "height": 48,
        "status": "processing",
        "url": url,
        "thumbnail_url": None,
        "poster_url": None,
    }


def stored_photo(uploader: Any, name: str = "photo.jpg") -> Any:
    """A photo row as an upload leaves it (ready, not attached to anything yet), without storing bytes."""
    from marketdesk.attachments.models import Attachment, AttachmentKind, AttachmentStatus

    return Attachment.objects.create(
        uploader=uploader,
        kind=AttachmentKind.IMAGE,
        mime="image/jpeg",
        size=3,
        sha256="0" * 64,
        original_name=name,
        file=name,
        status=AttachmentStatus.READY,
    )
