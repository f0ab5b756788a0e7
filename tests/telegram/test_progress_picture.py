"""/progress as a picture, through the real PTB stack: the photo Telegram gets, the
numbers it is drawn from, its caption, the cache and the text fallback."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from PIL import Image

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.presentation import progress_image, quiz_views
from bot.presentation.progress_image import BAR, HEAT, TRACK
from bot.services.learners import Learner
from tests.telegram.conftest import USER_ID
from tests.telegram.test_quiz import buttons, only, play_round, say

LIMIT_BYTES = 200 * 1024


def photo_of(calls: list[ApiCall]) -> tuple[ApiCall, bytes, Image.Image]:
    photo = only(calls, "sendPhoto")
    png = photo.params["_files"]["photo"]
    image = Image.open(io.BytesIO(png))
    image.load()
    return photo, png, image


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def middle(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)


async def test_progress_sends_a_picture_drawn_from_the_learners_numbers(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await play_round(nexus, api, wrong=3)
    photo, png, image = photo_of(await say(nexus, api, "/progress"))
    assert photo.params["_file_names"]["photo"] == "progress.png"
    assert len(png) < LIMIT_BYTES
    report = await nexus.quizzes.progress(Learner(USER_ID, USER_ID))
    plan = progress_image.layout(progress_image.picture_of(report))
    assert image.format == "PNG" and image.size == plan.size and image.width == 960
    # The calendar: five answers today, none on any other day, each in its shade.
    today = next(cell for cell in plan.cells if cell.day == report.today and cell.answers >= 0)
    assert today.answers == 5 and image.getpixel(middle(today.box)) == rgb(HEAT[2])
    others = [cell for cell in plan.cells if cell.day != report.today and cell.answers >= 0]
    assert len(others) == len(report.activity) - 1
    assert all(image.getpixel(middle(cell.box)) == rgb(HEAT[0]) for cell in others)
    # One bar per topic started, filled as far as its mastery (none mastered yet).
    assert [bar.title for bar in plan.bars] == [t.title for t in report.topics]
    for bar in plan.bars:
        assert bar.percent == 0 and bar.fill is None
        assert image.getpixel(middle(bar.track)) == rgb(TRACK)
    # The summary is the caption, with the button under the picture.
    caption = photo.params["caption"]
    assert caption == quiz_views.progress(report).text
    assert "Accuracy: 80% (4/5 answers)" in caption and "Streak: 1 day(s)" in caption
    assert buttons(photo) == [("🎯 Quiz me", "qt:")]


def test_a_mastered_topic_fills_its_bar() -> None:
    picture = progress_image.ProgressPicture(
        topics=(("HTTP", 100), ("SQL", 50), ("Queues", 0)),
        activity=(0,) * 80 + (3, 12),
        start=date(2026, 9, 7),
        streak=2,
        best_streak=5,
    )
    plan = progress_image.layout(picture)
    image = Image.open(io.BytesIO(progress_image.render(picture))).convert("RGB")
    full, half, empty = plan.bars
    right_end = (full.track[2] - 8, middle(full.track)[1])
    assert full.fill == full.track and image.getpixel(right_end) == rgb(BAR)
    assert half.fill is not None
    assert image.getpixel((half.fill[2] - 8, middle(half.track)[1])) == rgb(BAR)
    assert image.getpixel((half.fill[2] + 8, middle(half.track)[1])) == rgb(TRACK)
    assert empty.fill is None and image.getpixel(middle(empty.track)) == rgb(TRACK)
    yesterday, today = [cell for cell in plan.cells if cell.answers >= 0][-2:]
    assert image.getpixel(middle(yesterday.box)) == rgb(HEAT[1])  # 3 answers
    assert image.getpixel(middle(today.box)) == rgb(HEAT[3])  # 12 answers


def test_the_largest_picture_stays_under_200_kb() -> None:
    """Every topic of the shipped knowledge base with a long title, and a busy calendar."""
    picture = progress_image.ProgressPicture(
        topics=tuple((f"A rather long topic title number {i} and more", i * 5) for i in range(20)),
        activity=tuple((i * 7) % 23 for i in range(84)),
        start=date(2026, 9, 7),
        streak=84,
        best_streak=84,
    )
    png = progress_image.render(picture)
    assert len(png) < LIMIT_BYTES
    assert Image.open(io.BytesIO(png)).size == progress_image.layout(picture).size


async def test_the_picture_is_cached_until_a_new_answer(
    nexus: Nexus, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[progress_image.ProgressPicture] = []
    render = progress_image.render

    def counting(picture: progress_image.ProgressPicture) -> bytes:
        drawn.append(picture)
        return render(picture)

    monkeypatch.setattr(progress_image, "render", counting)
    await play_round(nexus, api, wrong=3)
    _, first, _ = photo_of(await say(nexus, api, "/progress"))
    _, again, _ = photo_of(await say(nexus, api, "/progress"))
    assert again == first and len(drawn) == 1  # the same day, no new answer: reused
    question = only(await say(nexus, api, "/quiz"), "sendMessage")
    await nexus.feed(api.callback_update(USER_ID, question.result, buttons(question)[0][1]))
    _, after, _ = photo_of(await say(nexus, api, "/progress"))
    assert len(drawn) == 2 and after != first
    assert drawn[1].activity[-1] == drawn[0].activity[-1] + 1  # today's count went up


async def test_the_text_is_sent_when_the_picture_fails(
    nexus: Nexus, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(picture: progress_image.ProgressPicture) -> bytes:
        raise OSError("no font")

    monkeypatch.setattr(progress_image, "render", broken)
    await play_round(nexus, api, wrong=3)
    with caplog.at_level(logging.ERROR):
        calls = await say(nexus, api, "/progress")
    assert not [c for c in calls if c.method == "sendPhoto"]
    text = only(calls, "sendMessage")
    assert "Accuracy: 80% (4/5 answers)" in text.params["text"]
    assert buttons(text) == [("🎯 Quiz me", "qt:")]
    assert "progress picture failed" in caplog.text


async def test_a_summary_too_long_for_a_caption_follows_the_picture(
    nexus: Nexus, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await play_round(nexus, api, wrong=3)
    monkeypatch.setattr(quiz_views, "CAPTION_LIMIT", 100)
    calls = await say(nexus, api, "/progress")
    assert [c.method for c in calls if c.method.startswith("send")] == ["sendPhoto", "sendMessage"]
    photo, text = only(calls, "sendPhoto"), only(calls, "sendMessage")
    assert photo.params["caption"].startswith("📈 <b>Your progress</b>\nAccuracy: 80%")
    assert "reply_markup" not in photo.params
    assert (
        "<b>By topic</b>" in text.params["text"]
        and "<b>By topic</b>" not in photo.params["caption"]
    )
    assert buttons(text) == [("🎯 Quiz me", "qt:")]


async def test_no_picture_before_the_first_answer(nexus: Nexus, api: FakeBotApi) -> None:
    calls = await say(nexus, api, "/progress")
    assert only(calls, "sendMessage").params["text"].startswith("No quiz answers yet.")
    assert not [c for c in calls if c.method == "sendPhoto"]
