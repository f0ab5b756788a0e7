"""What `nexus-bot` prints, tested in-process through bot/presentation/reports.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.presentation import reports, views
from bot.services.operations import Cluster, Inbox, Suggestion
from content import Matcher, load_knowledge_base
from storage.records import LearnedPhrasing

FIXTURE = Path(__file__).parents[1] / "fixtures" / "content"
KB = load_knowledge_base(FIXTURE)
NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def test_ask_record_of_an_answer_names_the_entry_and_the_text_sent() -> None:
    matcher = Matcher(KB)
    record = reports.ask_record(KB, matcher.match("what is an etag"))
    assert record["status"] == "answered" and record["entry_id"] == "caching-etag"
    assert record["title"] == KB.entry("caching-etag").title  # type: ignore[union-attr]
    assert "ETag" in record["answer"] and record["suggestions"] == []
    assert 0.0 <= record["confidence"] <= 1.0


def test_ask_record_lists_the_runners_up_an_answer_offers_beside_it() -> None:
    """An answer less sure than `alternative_probability` carries its runner-up as an
    "🔎 Or:" button; `ask --json` names it, and the blind scoring counts it offered."""
    from bench.blind import reply_from_record
    from content.matcher import decide
    from content.ranking import Ranking, Signals

    etag, control = KB.entry("caching-etag"), KB.entry("caching-cache-control")
    assert etag and control
    signals = Signals(0.5, 0.5, 0.5, 0.5, 0.5, 0.5)
    ranking = Ranking(((etag, signals, 90.0), (control, signals, 8.0)), 0.0, ())
    sure = replace(ranking, confidence=KB.matcher_settings.alternative_probability + 0.01)
    unsure = replace(ranking, confidence=KB.matcher_settings.alternative_probability - 0.01)
    assert unsure.confidence >= KB.matcher_settings.answer_probability

    alone = reports.ask_record(KB, decide("q", sure, None, KB.matcher_settings))
    assert alone["status"] == "answered" and alone["alternatives"] == []
    assert not any(b.startswith("🔎 Or:") for b in alone["buttons"])
    assert reply_from_record(alone).offered == ("caching-etag",)

    record = reports.ask_record(KB, decide("q", unsure, None, KB.matcher_settings))
    assert record["status"] == "answered" and record["entry_id"] == "caching-etag"
    assert record["alternatives"] == [
        {"entry_id": "caching-cache-control", "title": control.title, "score": 8.0}
    ]
    assert record["buttons"][0] == f"🔎 Or: {control.title}"
    assert record["suggestions"] == []
    reply = reply_from_record(record)
    assert reply.entry == "caching-etag"
    assert reply.offered == ("caching-etag", "caching-cache-control")


def test_ask_record_of_small_talk_has_an_intent_and_no_entry() -> None:
    record = reports.ask_record(KB, Matcher(KB).match("thanks!"))
    assert record["status"] == "smalltalk" and record["intent"] == "thanks"
    assert record["entry_id"] is None and record["score"] is None


def test_content_stats_lists_every_topic_and_flags_short_ones() -> None:
    lines, short = reports.content_stats(KB)
    assert lines[0].split() == ["topic", "entries", "minimum", "phrasings", "quizzes", "tips"]
    assert len(lines) == len(KB.topics) + 2 and lines[-1].startswith("total")
    assert short == [t.id for t in KB.topics if len(KB.entries_in(t.id)) < t.min_entries]
    assert all(("< minimum" in line) == (line.split()[0] in short) for line in lines[1:-1])


def test_learned_phrasings_as_a_table_and_as_yaml_to_merge() -> None:
    taught = [
        LearnedPhrasing("caching-etag", "etag pls", 7, NOW),
        LearnedPhrasing("caching-etag", "what is etag", None, NOW),
    ]
    table = reports.learned_table(taught)
    assert "2026-11-30 09:15" in table[1] and table[1].split()[1] == "7"
    assert table[2].split()[1] == "-"  # taught by nobody known (anonymised)
    assert table[-1] == "2 phrasing(s) for 1 entries"
    document = yaml.safe_load(reports.learned_yaml(taught))
    assert document == [{"entry": "caching-etag", "questions": ["etag pls", "what is etag"]}]
    assert reports.learned_table([])[0].startswith("no learned phrasings yet")
    assert reports.learned_yaml([]) == ""


def test_inbox_as_json_and_as_lines() -> None:
    inbox = Inbox(
        (Cluster(3, "cors wahala", ("cors wahala", "cors error"), "security-cors"),),
        (Suggestion("caching-etag", (("etag?", 2),)),),
    )
    document = reports.inbox_document(inbox)
    assert document["clusters"][0]["nearest_entry"] == "security-cors"
    assert document["suggested_phrasings"][0]["phrasings"] == [{"question": "etag?", "picked": 2}]
    lines = reports.inbox_lines(inbox)
    assert lines[0] == "Unanswered questions (1 groups):"
    assert "3x  cors wahala  [nearest: security-cors]" in lines[1]
    assert lines[-1] == "  caching-etag: etag?  (2x)"


def test_ask_prints_the_did_you_mean_choices_as_numbered_buttons() -> None:
    result = Matcher(KB).match("probes and rollouts")
    record = reports.ask_record(KB, result)
    lines = reports.ask_lines(KB, result)
    titles = [s["title"] for s in record["suggestions"]]
    assert record["status"] == "ambiguous" and len(titles) >= 2
    assert lines[0] == "🤔 I'm not sure which one you mean. Did you mean:"
    assert lines[1:] == [
        f"   {n}. {label}"
        for n, label in enumerate([*titles, "None of these: browse topics"], start=1)
    ]
    assert record["buttons"] == [*titles, "None of these: browse topics"]


def test_ask_never_claims_it_noted_a_question_it_did_not_log() -> None:
    result = Matcher(KB).match("how do i")
    assert result.status.value == "no_match"
    record = reports.ask_record(KB, result)
    assert "noted" not in record["answer"] and "yet, sorry." in record["answer"]
    assert record["buttons"] and record["buttons"][0].startswith(KB.topics[0].title)
    assert reports.ask_lines(KB, result)[-1].startswith(f"   {len(record['buttons'])}. ")


def test_the_bot_says_it_noted_a_question_only_when_it_logged_it() -> None:
    result = Matcher(KB).match("how do i")
    assert "I've noted the question" in views.match_result(KB, result, 42).text
    assert "noted" not in views.match_result(KB, result, None).text


def test_ask_wraps_the_answer_to_the_terminal_width_when_given_one() -> None:
    result = Matcher(KB).match("what is an etag")
    unwrapped = reports.ask_lines(KB, result)
    wrapped = reports.ask_lines(KB, result, width=50)
    assert max(map(len, unwrapped)) > 50 and len(wrapped) > len(unwrapped)
    assert " ".join(wrapped).split() == " ".join(unwrapped).split()
