"""The fake Bot API refuses inline answers the way Telegram does."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fake_telegram import FakeBotApi


def article(result_id: str, text: str = "<b>hi</b>", **extra: Any) -> dict[str, Any]:
    content = {"message_text": text, "parse_mode": "HTML"}
    return {
        "type": "article",
        "id": result_id,
        "title": "T",
        "input_message_content": content,
        **extra,
    }


def ask(api: FakeBotApi) -> str:
    return str(api.inline.query_update(1, "etag")["inline_query"]["id"])


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article("a"), article("a")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("")], "RESULT_ID_INVALID"),
        ([article("a", "<b>open")], "can't parse entities"),
        ([article("a", "x" * 4097)], "message is too long"),
        ([article("a", "   ")], "message text is empty"),
        ([{**article("a"), "title": ""}], "RESULT_TITLE_EMPTY"),
        (
            [
                article(
                    "a",
                    reply_markup={"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]},
                )
            ],
            "BUTTON_DATA_INVALID",
        ),
    ],
)
def test_refusals(results: list[dict[str, Any]], error: str) -> None:
    api = FakeBotApi()
    status, body = api.handle(
        "answerInlineQuery", {"inline_query_id": ask(api), "results": results}
    )
    assert status == 400 and error in body["description"]


def test_one_answer_per_known_query_and_a_valid_start_parameter() -> None:
    api = FakeBotApi()
    assert api.handle("answerInlineQuery", {"inline_query_id": "nope", "results": []})[0] == 400
    query = ask(api)
    bad = {"text": "t", "start_parameter": "no spaces"}
    params = {"inline_query_id": query, "results": [article("a")], "button": bad}
    assert "START_PARAM_INVALID" in api.handle("answerInlineQuery", params)[1]["description"]
    fine = {"inline_query_id": query, "results": [article(str(i)) for i in range(50)]}
    assert api.handle("answerInlineQuery", fine) == (200, {"ok": True, "result": True})
    assert api.handle("answerInlineQuery", fine)[0] == 400  # answered already
    posted = api.inline.choose(query, "7", chat_id=-5)
    assert posted["text"] == "hi" and posted["chat"]["id"] == -5
