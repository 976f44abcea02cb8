"""Camera frames decoded on the server: real badge QR codes, photographed badly, come back as tokens."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFilter

from move_events.badges.pdf import BadgeLayout, render_badges
from move_events.badges.qr import qr_png
from move_events.badges.tokens import make_badge_token
from move_events.checkin.frames import FrameUnreadable, decode_badge_frame
from tests.factories import make_event, register


def jpeg(image: Image.Image, quality: int = 70) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def photographed(image: Image.Image, *, scale: float, angle: float, quality: int) -> bytes:
    """The code as a phone sees it: smaller or larger, a little crooked, on a busy grey desk, blurred,
    then JPEG-compressed — downscaled to the 800 px the door page sends at most."""
    code = image.convert("L")
    code = code.resize((round(code.width * scale), round(code.height * scale)), Image.Resampling.BILINEAR)
    code = code.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    desk = Image.new("L", (800, 600), 140)
    draw = ImageDraw.Draw(desk)
    for x in range(0, 800, 40):
        draw.line([(x, 0), (x + 200, 600)], fill=110, width=3)  # a pattern that is not a code
    desk.paste(code, ((800 - code.width) // 2, (600 - code.height) // 2))
    return jpeg(desk.filter(ImageFilter.GaussianBlur(0.8)), quality)


@pytest.fixture
def badge(app, db):
    """A real badge: its token, and page 1 of its A6 PDF as an image at phone-camera resolution."""
    registration = register(make_event(published=True), given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)
    with app.test_request_context():
        document = pdfium.PdfDocument(render_badges([registration], layout=BadgeLayout.A6))
    page = document[0]
    image = page.render(scale=150 / 72).to_pil()  # 150 dpi: an A6 page is 620 × 874 px
    page.close()
    document.close()
    return token, image


def test_a_rendered_badge_page_decodes_to_its_token(badge):
    token, page = badge
    assert decode_badge_frame(jpeg(page)) == token


@pytest.mark.parametrize(
    ("scale", "angle", "quality"),
    [(1.0, 0, 90), (0.6, 4, 60), (0.45, -7, 50), (0.8, 12, 40), (1.2, -3, 75)],
)
def test_photograph_like_frames_of_a_badge_qr_decode(badge, scale, angle, quality):
    token, _ = badge
    qr = Image.open(io.BytesIO(qr_png(token)))  # the very image printed on the badge (330 px)
    assert decode_badge_frame(photographed(qr, scale=scale, angle=angle, quality=quality)) == token


def test_a_badge_page_photographed_on_a_desk_decodes(badge):
    token, page = badge
    frame = photographed(page, scale=0.8, angle=5, quality=60)
    assert decode_badge_frame(frame) == token


def test_large_frames_are_shrunk_and_still_decode(badge):
    token, _ = badge
    qr = Image.open(io.BytesIO(qr_png(token))).convert("L").resize((1300, 1300), Image.Resampling.NEAREST)
    big = Image.new("L", (2400, 1800), 255)
    big.paste(qr, (500, 250))
    assert decode_badge_frame(jpeg(big)) == token


def test_png_frames_decode_too(badge):
    token, _ = badge
    assert decode_badge_frame(qr_png(token)) == token


@pytest.mark.parametrize("colour", [255, 0, 128])
def test_a_frame_without_a_code_gives_nothing(colour):
    assert decode_badge_frame(jpeg(Image.new("L", (640, 480), colour))) is None


def test_a_desk_without_a_badge_gives_nothing():
    desk = Image.new("L", (800, 600), 140)
    ImageDraw.Draw(desk).rectangle([(100, 100), (300, 300)], outline=0, width=8)
    assert decode_badge_frame(jpeg(desk)) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"GIF89a" + b"\x00" * 64],
    ids=["empty", "text", "broken-jpeg", "gif"],
)
def test_non_images_are_refused(data):
    with pytest.raises(FrameUnreadable):
        decode_badge_frame(data)


def test_a_gif_is_refused_even_when_valid():
    buffer = io.BytesIO()
    Image.new("L", (10, 10), 255).save(buffer, format="GIF")
    with pytest.raises(FrameUnreadable):
        decode_badge_frame(buffer.getvalue())


def test_a_decompression_bomb_is_refused_before_decoding_its_pixels():
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buffer, format="PNG")  # ~20 kB compressed, 144 Mpx
    assert len(buffer.getvalue()) < 1_500_000
    with pytest.raises(FrameUnreadable):
        decode_badge_frame(buffer.getvalue())
