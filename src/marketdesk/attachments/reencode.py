"""Decode a photo and write a clean copy, in a child process: ``python -m marketdesk.attachments.reencode``.

A 64-megapixel photo takes some 250 MB to decode, convert and encode; paid in a web process, four
uploads at once grew it by a gigabyte, which it keeps. Run here, the memory goes back to the system
when the child exits, the child's address space is capped, and ``media.image_prepare`` limits how
many children run at once. Only Pillow is imported (no Django): the child starts in a tenth of a
second.

Arguments: source, target, reader format, writer format, the pixel limit. Answers one JSON line
``{"width": …, "height": …}`` and exit status 0, or one of the exit statuses below.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import warnings
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageCms, ImageOps

JPEG_QUALITY = 90
EXIT_TOO_MANY_PIXELS = 3
EXIT_DAMAGED = 4
EXIT_SYSTEM = 5  # the system's failure (a full disk), not the file's
DECODE_NICENESS = 10
# CPU seconds a decode may use (a 64-megapixel PNG takes about three): the bound on a file built to be
# slow. Wall time is not the measure: at the lower priority, a busy machine may keep a decode waiting.
DECODE_CPU_SECONDS = 30
# Room for the largest image the limit lets through (64 MP: 4 bytes a pixel, a copy or two) and Python.
ADDRESS_SPACE_PER_PIXEL = 16
ADDRESS_SPACE_BASE = 512 * 1024 * 1024


class TooManyPixels(Exception):
    pass


def open_image(fp: Path | IO[bytes], reader: str, limit: int) -> Image.Image:
    """Open with only this format's decoder and refuse, from the header, more pixels than ``limit``."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here a warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fp, formats=[reader])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooManyPixels from exc
    # Checked again here: the limit may be lower than Pillow's global.
    if image.width * image.height > limit:
        image.close()
        raise TooManyPixels
    return image


def to_srgb(image: Image.Image) -> Image.Image:
    """Convert to sRGB with the embedded ICC profile, so dropping the profile keeps the colours."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: keep the pixels as they are
    return converted if converted is not None else image


def for_writer(image: Image.Image, writer: str) -> Image.Image:
    """Convert to a mode the writer stores faithfully."""
    if writer == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if writer == "WEBP":
        return (
            image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if image.has_transparency_data else "RGB")
        )
    if writer == "PNG":
        return image if image.mode in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA") else image.convert("RGBA")
    return image  # GIF: the palette frame as decoded


def save_clean(image: Image.Image, target: Path | IO[bytes], writer: str, **params: Any) -> None:
    """Encode with nothing but pixels: Pillow copies comments, XMP and ICC from ``info`` when left there."""
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    if writer == "JPEG":
        params.setdefault("quality", JPEG_QUALITY)
    image.save(target, writer, **params)


def reencode(source: Path, target: Path, reader: str, writer: str, limit: int) -> tuple[int, int]:
    """Decode the photo, turn it upright, and write it afresh without metadata; return its size."""
    image = open_image(source, reader, limit)
    try:
        image.load()  # a truncated file fails here (ImageFile.LOAD_TRUNCATED_IMAGES stays False)
        ImageOps.exif_transpose(image, in_place=True)  # the orientation applied to the pixels themselves
        clean = for_writer(to_srgb(image), writer)
        save_clean(clean, target, writer)
    finally:
        image.close()
    return clean.width, clean.height


def main(argv: list[str]) -> int:
    source, target, reader, writer, limit = Path(argv[0]), Path(argv[1]), argv[2], argv[3], int(argv[4])
    address_space = ADDRESS_SPACE_BASE + ADDRESS_SPACE_PER_PIXEL * limit
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    # Behind the web process for the CPU: a page asked for meanwhile is answered first (on a small
    # machine four 64 MP photos took every core, and ordinary pages waited seconds).
    os.nice(DECODE_NICENESS)
    resource.setrlimit(resource.RLIMIT_CPU, (DECODE_CPU_SECONDS, DECODE_CPU_SECONDS))
    Image.MAX_IMAGE_PIXELS = limit
    if reader == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        width, height = reencode(source, target, reader, writer, limit)
    except TooManyPixels:
        return EXIT_TOO_MANY_PIXELS
    except MemoryError:
        return EXIT_TOO_MANY_PIXELS
    except OSError as exc:
        if exc.errno is not None:
            sys.stderr.write(f"{exc}\n")
            return EXIT_SYSTEM
        return EXIT_DAMAGED
    except Exception:  # noqa: BLE001 - decoders raise many types for bad input; all mean "unreadable"
        return EXIT_DAMAGED
    sys.stdout.write(json.dumps({"width": width, "height": height}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
