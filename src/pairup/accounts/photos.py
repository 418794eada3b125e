"""A profile photo from an upload: checked, decoded safely and redrawn as a small square JPEG.

Nothing of the upload is kept but its pixels: the server re-encodes every photo, so what is
stored and served is always a plain JPEG of AVATAR_SIZE pixels a side, with no metadata
(location, camera) and nothing a browser could take for a script or a page. Each refusal is
a ServiceError on the field `photo`, raised before anything is written.
"""

from __future__ import annotations

import io
import warnings
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from pairup.core import limits
from pairup.core.errors import ServiceError

# Pillow decodes only these; anything else (SVG, GIF, TIFF, HEIC, a PDF, a renamed text
# file) is "not a photo we can use" however the file is named.
FORMATS = ("JPEG", "PNG", "WEBP")
FORMAT_NAMES = "JPEG, PNG or WebP"


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def photo_size_check(size: int) -> None:
    if size > limits.PHOTO_MAX_BYTES:
        raise ServiceError(
            f"This photo is {_megabytes(size)}; the limit is "
            f"{limits.PHOTO_MAX_BYTES // 2**20} MB. Choose a smaller one, or a screenshot of it.",
            code="photo_too_large",
            field="photo",
        )


def _too_many_pixels(detail: str = "") -> ServiceError:
    return ServiceError(
        f"This picture{detail} has too many pixels to process (the limit is "
        f"{limits.PHOTO_MAX_PIXELS // 1_000_000} megapixels). Choose an ordinary photo.",
        code="photo_too_many_pixels",
        field="photo",
    )


def avatar_jpeg(upload: IO[bytes], size: int | None = None) -> bytes:
    """The upload as a square JPEG of AVATAR_SIZE pixels, centred a little above the middle
    (where a face usually is), turned upright from its EXIF orientation, transparency on
    white. Raises ServiceError (field `photo`) for a file that is too large, not a JPEG, PNG
    or WebP, a decompression bomb (more than PHOTO_MAX_PIXELS, checked from the header
    before decoding; Pillow's own DecompressionBomb checks stay on behind it), or damaged."""
    if size is not None:
        photo_size_check(size)
    side = limits.AVATAR_SIZE
    try:
        with warnings.catch_warnings():
            # Pillow warns from MAX_IMAGE_PIXELS and raises from twice that; both refuse here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(upload, formats=FORMATS)
            width, height = image.size
            if width * height > limits.PHOTO_MAX_PIXELS:
                raise _too_many_pixels(f" ({width:,} × {height:,})")
            # A JPEG can decode straight at a fraction of its size: far less memory.
            image.draft("RGB", (side * 2, side * 2))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ServiceError(
            f"This file is not a photo we can use: choose a {FORMAT_NAMES} picture.",
            code="photo_type",
            field="photo",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ServiceError(
            "This picture could not be read (the file may be damaged or cut short). "
            "Try another one.",
            code="photo_unreadable",
            field="photo",
        ) from None
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    square = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
