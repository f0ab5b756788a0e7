"""The /progress picture: mastery per topic as bars, the last 12 weeks of answers
as a calendar heat map, and the streak. Pure: numbers in, PNG bytes out.

Drawn with Pillow alone, not matplotlib: Pillow is one wheel with no further
dependencies, imports in tens of milliseconds and draws rectangles and text
directly, while matplotlib takes most of a second to import, pulls in a plotting
stack and font cache, and would be used here only for boxes. The font is Pillow's
bundled one (`ImageFont.load_default(size=...)`, Pillow >= 10.1), so nothing is
shipped or looked up on the host.

Palette: a light card (near-white background, near-black text) on every theme.
Telegram shows a photo as it is, so a picture cannot follow the app's theme; a
light card reads like a sheet of paper on a dark chat background and like the
page itself on a light one, and its colours keep their contrast in both. The
heat map's greens rise in darkness with the count, so it reads without colour too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageFont

from bot.services.quiz_types import ProgressReport

WIDTH = 960
PAD = 40
BACKGROUND = "#f6f8fa"
TEXT = "#1f2328"
MUTED = "#59636e"
TRACK = "#d8dee4"
BAR = "#1f6feb"
# Answers on a day -> shade: none, 1-4, 5-9 (one or two rounds), 10-19, 20+.
HEAT = ("#dde3e8", "#9be9a8", "#40c463", "#30a14e", "#216e39")
HEAT_STEPS = (1, 5, 10, 20)
TITLE_WIDTH = 330
BAR_X = PAD + TITLE_WIDTH + 20
BAR_END = WIDTH - PAD - 80
ROW = 40
BAR_HEIGHT = 22
CELL = 36
GAP = 6
GRID_X = PAD + 60


@dataclass(frozen=True)
class ProgressPicture:
    """The numbers the picture shows, and nothing else: equal pictures are equal
    values (the cache's key). Mastery is in whole percent, finer than a bar shows."""

    topics: tuple[tuple[str, int], ...]  # (title, mastery %), best first
    activity: tuple[int, ...]  # answers per day from `start` (a Monday) to today
    start: date
    streak: int
    best_streak: int


def picture_of(report: ProgressReport) -> ProgressPicture:
    start = report.activity_start or report.today - timedelta(days=len(report.activity) - 1)
    return ProgressPicture(
        topics=tuple((t.title, round(t.mastery * 100)) for t in report.topics),
        activity=report.activity,
        start=start,
        streak=report.streak,
        best_streak=report.best_streak,
    )


Box = tuple[int, int, int, int]  # left, top, right, bottom (inclusive)


@dataclass(frozen=True)
class Text:
    xy: tuple[int, int]
    text: str
    size: int
    colour: str = TEXT


@dataclass(frozen=True)
class Bar:
    title: str
    percent: int
    track: Box
    fill: Box | None  # None at 0%


@dataclass(frozen=True)
class Cell:
    day: date
    answers: int
    box: Box
    colour: str


@dataclass(frozen=True)
class Layout:
    """Where everything goes; `draw` paints exactly this, so tests can assert it."""

    size: tuple[int, int]
    texts: tuple[Text, ...]
    bars: tuple[Bar, ...]
    cells: tuple[Cell, ...]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont  # Pillow loads on the first picture, not at start-up

    return ImageFont.load_default(size=size)


def _fit(text: str, size: int, width: int) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels."""
    font = _font(size)
    if font.getlength(text) <= width:
        return text
    fits, over = 0, len(text)  # the longest prefix that fits with "…", by bisection
    while over - fits > 1:
        middle = (fits + over) // 2
        fits, over = (
            (middle, over) if font.getlength(text[:middle] + "…") <= width else (fits, middle)
        )
    return text[:fits].rstrip() + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def heat(answers: int) -> str:
    return HEAT[sum(answers >= step for step in HEAT_STEPS)]


def layout(picture: ProgressPicture) -> Layout:
    streak = f"Streak: {_count(picture.streak, 'day')} · best {picture.best_streak}"
    today = _count(picture.activity[-1] if picture.activity else 0, "answer")
    texts = [
        Text((PAD, PAD), "Your progress", 40),
        Text((PAD, PAD + 54), f"{streak} · today: {today}", 26, MUTED),
        Text((PAD, PAD + 110), "Mastery by topic", 28),
    ]
    y = PAD + 156
    bars = []
    for title, percent in picture.topics:
        top = y + (ROW - BAR_HEIGHT) // 2
        track = (BAR_X, top, BAR_END, top + BAR_HEIGHT - 1)
        right = BAR_X + round((BAR_END - BAR_X) * min(percent, 100) / 100)
        fill = (BAR_X, top, right, track[3]) if percent > 0 else None
        bars.append(Bar(title, percent, track, fill))
        texts.append(Text((PAD, top - 2), _fit(title, 22, TITLE_WIDTH), 22))
        texts.append(Text((BAR_END + 14, top - 2), f"{percent}%", 22, MUTED))
        y += ROW
    y += 30
    texts.append(Text((PAD, y), "Answers per day, last 12 weeks", 28))
    y += 50  # the month names' row
    cells = []
    month = None
    for index, answers in enumerate(picture.activity):
        day = picture.start + timedelta(days=index)
        column, row = divmod(index, 7)
        left, top = GRID_X + column * (CELL + GAP), y + 30 + row * (CELL + GAP)
        cells.append(
            Cell(day, answers, (left, top, left + CELL - 1, top + CELL - 1), heat(answers))
        )
        if row == 0 and day.month != month:
            month = day.month
            texts.append(Text((left, y), day.strftime("%b"), 20, MUTED))
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        texts.append(Text((PAD, y + 30 + row * (CELL + GAP) + 7), name, 18, MUTED))
    y += 30 + 7 * (CELL + GAP) + 16
    texts.append(Text((GRID_X, y + 4), "Less", 18, MUTED))
    legend = []
    for step, colour in enumerate(HEAT):
        left = GRID_X + 50 + step * 28
        legend.append(Cell(picture.start, -1, (left, y + 4, left + 21, y + 25), colour))
    texts.append(Text((GRID_X + 50 + len(HEAT) * 28 + 6, y + 4), "More", 18, MUTED))
    return Layout((WIDTH, y + 30 + PAD), tuple(texts), tuple(bars), tuple(cells + legend))


def draw(plan: Layout) -> bytes:
    from PIL import Image, ImageDraw  # on the first picture, not at start-up

    image = Image.new("RGB", plan.size, BACKGROUND)
    pen = ImageDraw.Draw(image)
    for bar in plan.bars:
        pen.rounded_rectangle(bar.track, radius=6, fill=TRACK)
        if bar.fill is not None:
            pen.rounded_rectangle(bar.fill, radius=6, fill=BAR)
    for cell in plan.cells:
        pen.rounded_rectangle(cell.box, radius=5, fill=cell.colour)
    for text in plan.texts:
        pen.text(text.xy, text.text, font=_font(text.size), fill=text.colour)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def render(picture: ProgressPicture) -> bytes:
    """The PNG (a few tens of KB); CPU-bound, so the adapter runs it in a thread."""
    return draw(layout(picture))
