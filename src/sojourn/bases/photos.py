"""Turning an uploaded photo into the sizes the pages serve. Pure: bytes in, bytes out.

- The type is decided by the content, never the file name: Pillow opens it with only the JPEG,
  PNG and HEIF decoders allowed (HEIC is what phones send; pillow-heif decodes it).
- Size is limited twice: the upload's bytes, and its pixels, read from the header before
  anything is decoded, so a small file that would expand into gigabytes (a decompression
  bomb) is refused without being decoded.
- The camera's orientation is applied, then every piece of metadata is dropped: EXIF (phones
  write the GPS position of where the photo was taken), XMP, comments. Colours are converted
  to sRGB when the file carries another profile, so the profile can go too.
- Each photo is made once into a few widths, in WebP (small) and JPEG (for old browsers).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l

pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 15 * 1024 * 1024  # a phone's full-size JPEG or HEIC fits
# The request body an upload route accepts (the app's own bound is 256 KB): the photo itself,
# its two descriptions and the multipart framing.
UPLOAD_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone camera's default
MIN_SIDE = 200  # smaller than this is not worth showing
WIDTHS = (480, 960, 1600)
ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF")
WEBP_QUALITY = 80
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str  # "webp" or "jpeg"
    content: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:32]


@dataclass(frozen=True)
class ProcessedPhoto:
    width: int  # after orientation, before any scaling
    height: int
    source_sha256: str
    renditions: tuple[Rendition, ...]


def _refuse(message: object) -> InvalidInput:
    return InvalidInput(message, code="photo_refused", field_errors={"photo": message})


def _open(data: bytes) -> Image.Image:
    if not data:
        raise _refuse(_l("Choose a photo to upload."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(
            _l("This photo is larger than 15 MB. Send a smaller copy, for example from the phone's share menu.")
        )
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise _refuse(_l("This file is not a JPEG, PNG or HEIC photo.")) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _refuse(_l("This photo has more than 40 million pixels. Send a smaller copy."))
    if min(width, height) < MIN_SIDE:
        raise _refuse(_l("This photo is too small: it needs at least 200 pixels on each side."))
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB, whatever mode and colour profile the file came in."""
    profile = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "I;16", "CMYK"):
        image = image.convert("RGB")
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # transparent parts on white
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    return image


def _clean_copy(image: Image.Image) -> Image.Image:
    """The pixels only: a new image object carries no EXIF, XMP, comments or profile."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def widths_for(width: int) -> tuple[int, ...]:
    """The standard widths narrower than the photo, plus the photo's own width if narrower than
    the largest: never scaled up."""
    chosen = [w for w in WIDTHS if w < width]
    if width <= WIDTHS[-1]:
        chosen.append(width)
    return tuple(chosen) or (width,)


def process_photo(data: bytes) -> ProcessedPhoto:
    """Check, clean and scale an upload; InvalidInput (field ``photo``) says what is wrong."""
    image = _open(data)
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _refuse(_l("This photo could not be read. It may be damaged; try another copy.")) from None
    image = _clean_copy(_to_srgb(image))
    renditions = []
    for width in widths_for(image.width):
        height = max(round(image.height * width / image.width), 1)
        scaled = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in ("webp", "jpeg"):
            renditions.append(Rendition(width=width, height=height, format=fmt, content=_encode(scaled, fmt)))
    return ProcessedPhoto(
        width=image.width,
        height=image.height,
        source_sha256=hashlib.sha256(data).hexdigest(),
        renditions=tuple(renditions),
    )
