"""Team photos: checked, squared, resized, and stripped of EXIF (which can hold a location)."""

from __future__ import annotations

import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# A photo larger than this many pixels is refused before it is decoded (decompression bombs).
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
SIZE = 480  # square, in pixels: sharp on high-density screens at 120 CSS pixels... and up


class BadPhoto(ValueError):
    """An upload that is not a photo we can use; the message says why."""


def process_photo(upload: UploadedFile) -> ContentFile[bytes]:
    """A clean square JPEG from an uploaded photo, with no metadata."""
    if upload.size is None or upload.size > MAX_BYTES:
        megabytes = (upload.size or 0) / 1024 / 1024
        raise BadPhoto(f"The photo is {megabytes:.1f} MB; the largest allowed is 5 MB.")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError):
        raise BadPhoto("The file is not a photo: upload a JPEG, PNG or WebP image.") from None
    if kind not in ALLOWED_FORMATS:
        raise BadPhoto(f"{kind or 'This'} images are not accepted: upload a JPEG, PNG or WebP.")
    if width * height > MAX_PIXELS:
        raise BadPhoto(f"The photo is {width}×{height} pixels; make it smaller than 40 megapixels.")
    if min(width, height) < 120:
        raise BadPhoto(f"The photo is {width}×{height} pixels; it must be at least 120×120.")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)  # the right way up, before EXIF goes
            square = ImageOps.fit(upright.convert("RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, "JPEG", quality=85, optimize=True)  # no exif=: nothing carried over
    except (OSError, ValueError, Image.DecompressionBombError):
        raise BadPhoto("The photo could not be read: it may be damaged.") from None
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.jpg")
