"""Share images: a 1200×630 PNG of every reading in every language, for link previews.

``/readings/<reading_id>/image.png`` (``service.api.images``; ``?lang=`` or
``Accept-Language``) is what a reading's
page names as ``og:image``. It shows the twitch, the omen's headline and tone, the medical
headline and urgency, the gist and the credit, drawn with Pillow in fonts shipped in
``fonts/`` (Noto Sans, and Noto Sans Devanagari for Hindi; SIL Open Font License, beside
them in ``OFL.txt``): nothing is fetched at run time. An image is drawn on its first
request and kept (8 readings × the served languages), at most ``MAX_IMAGE_BYTES``, with a
strong ETag made from its bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from ..api import attribution
from ..dataset import Dataset
from ..dataset.models import Reading

WIDTH, HEIGHT = 1200, 630
"""The size Open Graph and Twitter's large card expect (1.91:1)."""
MAX_IMAGE_BYTES = 150 * 1024
IMAGE_MAX_AGE = 7 * 24 * 3600
"""A week: an image changes only with a new dataset, and its ETag revalidates it."""
FONTS = Path(__file__).parent / "fonts"
MARGIN = 72
TEXT_WIDTH = WIDTH - 2 * MARGIN
COLOURS = {
    "page": (253, 251, 252),
    "accent": (138, 36, 75),
    "text": (34, 34, 34),
    "muted": (85, 85, 85),
    "tag": (242, 227, 233),
    "alert": (164, 22, 26),
    "white": (255, 255, 255),
}
DEVANAGARI = re.compile(r"[\u0900-\u097f\u200c\u200d\ua8e0-\ua8ff]")
"""Letters Noto Sans Devanagari draws; everything else is drawn in Noto Sans."""


@cache
def font(bold: bool, size: int, devanagari: bool = False) -> ImageFont.FreeTypeFont:
    """A shipped font, loaded once per weight, size and script."""
    family = "NotoSansDevanagari" if devanagari else "NotoSans"
    weight = "Bold" if bold else "Regular"
    return ImageFont.truetype(str(FONTS / f"{family}-{weight}.ttf"), size)


def _runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into runs of one script: (run, whether it is Devanagari). Spaces and
    punctuation go with the run before them."""
    runs: list[tuple[str, bool]] = []
    for character in text:
        if DEVANAGARI.match(character):
            devanagari = True
        elif character.isalnum() or not runs:
            devanagari = False
        else:
            devanagari = runs[-1][1]
        if runs and runs[-1][1] == devanagari:
            runs[-1] = (runs[-1][0] + character, devanagari)
        else:
            runs.append((character, devanagari))
    return runs


@dataclass(frozen=True)
class Style:
    """How one block of text is drawn."""

    size: int
    bold: bool = False
    colour: str = "text"
    max_lines: int = 2
    line_height: float = 1.3


class Canvas:
    """A 1200×630 image with text drawn in lines from the top, each script in its font."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, HEIGHT), COLOURS["page"])
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN - 16

    def width(self, text: str, style: Style) -> float:
        return sum(
            self.draw.textlength(run, font=font(style.bold, style.size, script))
            for run, script in _runs(text)
        )

    def lines(self, text: str, style: Style, width: int = TEXT_WIDTH) -> list[str]:
        """``text`` wrapped at spaces to ``width``, at most ``style.max_lines`` lines; a cut
        text ends with an ellipsis."""
        words = text.split()
        lines: list[str] = []
        while words and len(lines) < style.max_lines:
            line = words.pop(0)
            while words and self.width(f"{line} {words[0]}", style) <= width:
                line = f"{line} {words.pop(0)}"
            lines.append(line)
        if words:
            last = lines[-1]
            while last and self.width(f"{last}…", style) > width:
                last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
            lines[-1] = f"{last.rstrip(',;:')}…"
        return lines

    def text_at(self, x: float, y: float, text: str, style: Style, colour: str = "") -> float:
        """Draw one line with its top at (x, y), run by run on one baseline (Noto Sans
        Devanagari sits its letters higher than Noto Sans would); the x where it ends."""
        baseline = y + font(style.bold, style.size).getmetrics()[0]
        for run, script in _runs(text):
            face = font(style.bold, style.size, script)
            fill = COLOURS[colour or style.colour]
            self.draw.text((x, baseline), run, font=face, fill=fill, anchor="ls")
            x += self.draw.textlength(run, font=face)
        return x

    def block(self, text: str, style: Style, gap: int = 12) -> None:
        """Draw ``text`` wrapped, from the current height down."""
        for line in self.lines(text, style):
            self.text_at(MARGIN, self.y, line, style)
            self.y += int(style.size * style.line_height)
        self.y += gap

    def tag(self, text: str, style: Style, fill: str = "tag", colour: str = "accent") -> None:
        """A rounded label on its own line."""
        width = self.width(text, style)
        box = (MARGIN, self.y, MARGIN + width + 32, self.y + style.size + 20)
        self.draw.rounded_rectangle(box, radius=(style.size + 20) // 2, fill=COLOURS[fill])
        self.text_at(MARGIN + 16, self.y + 6, text, style, colour)
        self.y = box[3] + 12

    def png(self) -> bytes:
        """The image as a PNG of at most 256 colours (text on flat colours needs no more)."""
        out = io.BytesIO()
        palette = self.image.quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        palette.save(out, format="PNG", optimize=True)
        return out.getvalue()


def render(reading: Reading, dataset: Dataset) -> bytes:
    """The share image of ``reading`` in ``dataset``'s language, as PNG bytes."""
    from .shared import reading_heading

    words = dataset.interface
    canvas = Canvas()
    canvas.draw.rectangle((0, 0, 20, HEIGHT), fill=COLOURS["accent"])
    canvas.text_at(MARGIN, canvas.y, "Twitchlore", Style(30, bold=True, colour="accent"))
    canvas.y += 56
    canvas.block(reading_heading(reading, words), Style(54, bold=True, max_lines=1), gap=18)
    canvas.tag(words[f"labels.sentiment.{reading.omen.sentiment}"], Style(24, bold=True))
    canvas.block(reading.omen.headline, Style(36, max_lines=2), gap=18)
    urgency = reading.medical.urgency
    emergency = urgency == "emergency"
    canvas.tag(
        words[f"labels.urgency.{urgency}"],
        Style(24, bold=True),
        fill="alert" if emergency else "tag",
        colour="white" if emergency else "accent",
    )
    canvas.block(reading.medical.headline, Style(30, max_lines=2), gap=0)
    footer = Style(22, colour="muted", max_lines=1)
    credit = words.text("credit.line", name=attribution.NAME, licence=attribution.LICENCE)
    for position, line in enumerate((words["card.share_gist"], credit)):
        top = HEIGHT - MARGIN - 30 + position * 34
        canvas.text_at(MARGIN, top, canvas.lines(line, footer)[0], footer)
    return canvas.png()


@dataclass(frozen=True)
class ShareImage:
    """One reading's PNG in one language, with its strong ETag."""

    body: bytes

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]


class ImageBook:
    """Every reading's image in every language, each drawn on its first request and kept."""

    def __init__(self) -> None:
        self._images: dict[tuple[str, str], ShareImage] = {}

    def image(self, dataset: Dataset, reading: Reading) -> ShareImage:
        key = (dataset.language.tag, reading.id)
        if key not in self._images:
            body = render(reading, dataset)
            if len(body) > MAX_IMAGE_BYTES:
                raise RuntimeError(f"the share image of {reading.id} is {len(body)} bytes")
            self._images[key] = ShareImage(body)
        return self._images[key]


IMAGE_BOOK_KEY = "twitchlore.share_images"


def image_path(reading_id: str) -> str:
    """The path of a reading's share image."""
    return f"/readings/{reading_id}/image.png"


def install(app: Any) -> None:
    """Keep the app's share images, drawn as they are first asked for."""
    app.extensions[IMAGE_BOOK_KEY] = ImageBook()
