"""Camera frames decoded on the server, for browsers without the BarcodeDetector API (Firefox, Safari).

The door page sends a few downscaled JPEG frames a second; most hold no code at all, so the answer
must come quickly. We read the image with Pillow, refuse anything that is not a reasonably sized
picture (a frame is untrusted input: a "decompression bomb" of a few kilobytes could otherwise ask
for gigabytes), turn it into grey, and let zxing-cpp look for QR codes only — badges carry nothing
else, and one format is faster to search than all of them.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_FRAME_BYTES = 1_500_000  # a 800-px JPEG is ~50–150 kB; anything near this is not a camera frame
MAX_FRAME_PIXELS = 4_000 * 3_000  # refuse before decoding pixels: the header says how big it is
DECODE_SIDE = 1_200  # larger frames are shrunk first: QR codes on a badge stay readable, decoding is faster
FRAME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


class FrameUnreadable(Exception):
    """The upload is not an image we read (wrong type, damaged, or far too large)."""


def decode_badge_frame(data: bytes) -> str | None:
    """The text of the first QR code in the image ``data``, or None when it shows none.

    Raises ``FrameUnreadable`` when ``data`` is not an image of a sensible size.
    """
    image = _open(data)
    if max(image.size) > DECODE_SIDE:
        image.thumbnail((DECODE_SIDE, DECODE_SIDE))
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        if code.valid and code.text:
            return code.text
    return None


def _open(data: bytes) -> Image.Image:
    if not data:
        raise FrameUnreadable("empty frame")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in {"JPEG", "PNG", "WEBP"}:
                raise FrameUnreadable(f"not a camera frame: {image.format}")
            width, height = image.size
            if width * height > MAX_FRAME_PIXELS:
                raise FrameUnreadable("frame too large")
            return image.convert("L")  # decodes the pixels; damaged data fails here
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise FrameUnreadable(str(error)) from error
    except Image.DecompressionBombWarning as error:
        raise FrameUnreadable(str(error)) from error
