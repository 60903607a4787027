"""Photos for tests, made on the spot with Pillow: a phone-like JPEG with orientation and GPS in
its EXIF, a PNG, a HEIC, and files that only pretend to be photos."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width: int = 1200, height: int = 800, colour: str = "#2a7ab0") -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height // 4), fill="#e0a030")  # marks the top-left corner
    return image


def jpeg_with_gps(width: int = 1200, height: int = 800, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: rotated by an EXIF tag, and with where it was taken."""
    image = picture(width, height)
    exif = image.getexif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (18.0, 15.0, 30.0), 3: "E", 4: (109.0, 30.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    picture(width, height, "#1d6b2f").save(out, format="PNG")
    return out.getvalue()


def noisy_png(width: int = 800, height: int = 600, seed: int = 7) -> bytes:
    """A photo that does not compress (random pixels): about 3 bytes a pixel, 1.4 MB by default."""
    import random

    pixels = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, format="PNG")
    return out.getvalue()


def heic(width: int = 640, height: int = 480) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    picture(width, height, "#7b3294").save(out, format="HEIF", quality=70)
    return out.getvalue()


def gif(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    picture(width, height).save(out, format="GIF")
    return out.getvalue()


def bomb_png(side: int = 10_000) -> bytes:
    """A tiny file that would decode to ``side``² pixels: the header says so, Pillow can tell."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()
