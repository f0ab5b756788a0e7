"""How messages look in a terminal (bot/presentation/terminal.py): wrapped between
words, code kept line for line, buttons numbered, documents previewed."""

from __future__ import annotations

import re

from bot.presentation import terminal

ANSI = re.compile(r"\033\[[0-9;]*m")
PROSE = (
    "<b>Canary releases</b>\n\nA canary release sends a small share of real traffic "
    "(1-10%) to the new version, compares its error rate and latency with the old one, "
    "then widens step by step or rolls back.\n"
    "• Argo Rollouts or Flagger automate the steps and roll back on bad metrics.\n"
    "<pre>backendRefs:\n  - name: api-stable-and-a-very-long-service-name-that-does-not-fit\n"
    "    weight: 95</pre>\nSee https://example.org/a/very/long/path/that/is/longer/than/the/width"
)


def test_prose_wraps_between_words_within_the_width() -> None:
    lines = terminal.text_lines(PROSE, width=40, indent="    ")
    before_code = PROSE.split("<pre>")[0].replace("<b>", "").replace("</b>", "")
    shown = lines[: lines.index("      backendRefs:")]
    # Every word whole and in order, no line past the width, every line indented.
    assert " ".join(shown).split() == before_code.split()
    assert all(len(line) <= 40 for line in lines if "https://" not in line and "name:" not in line)
    assert all(line.startswith("    ") for line in lines if line)
    assert lines[1] == ""  # the blank line after the title is kept, without trailing spaces
    # A word longer than the width (a URL) stays whole on a line of its own.
    url = "https://example.org/a/very/long/path/that/is/longer/than/the/width"
    assert lines[-2:] == ["    See", f"    {url}"]


def test_a_bullet_wraps_under_its_text() -> None:
    lines = terminal.text_lines(PROSE, width=40)
    bullet = next(i for i, line in enumerate(lines) if line.startswith("• "))
    assert lines[bullet + 1].startswith("  ") and not lines[bullet + 1].startswith("   ")


def test_code_blocks_keep_their_lines_unwrapped() -> None:
    lines = terminal.text_lines(PROSE, width=40, indent="  ")
    assert "      - name: api-stable-and-a-very-long-service-name-that-does-not-fit" in lines
    assert "        weight: 95" in lines
    code = lines.index("    backendRefs:")
    assert lines[code - 1].endswith("metrics.")  # no blank line added around the block
    assert lines[code + 3].startswith("  See")


def test_a_numbered_line_wraps_under_its_text() -> None:
    lines = terminal.text_lines(
        "12. 1× how do i frobnicate [Liveness and readiness probes]", width=30
    )
    assert lines[0].startswith("12. 1× how") and all(line.startswith("    ") for line in lines[1:])


def test_no_width_means_no_wrapping() -> None:
    lines = terminal.text_lines("one two three " * 30)
    assert lines == [("one two three " * 30)]


def test_color_marks_bold_and_code_but_wraps_on_visible_text() -> None:
    lines = terminal.text_lines(PROSE, width=40, color=True)
    assert lines[0] == f"{terminal.BOLD}Canary releases{terminal.RESET}"
    assert any(terminal.CYAN in line for line in lines)
    assert [ANSI.sub("", line) for line in lines] == terminal.text_lines(PROSE, width=40)


def test_a_message_puts_its_prefix_on_the_first_line_and_numbers_its_buttons() -> None:
    lines = terminal.message_lines(
        "Did you mean:", ["Rolling updates", "None of these"], prefix="nexus> "
    )
    assert lines == ["nexus> Did you mean:", "   1. Rolling updates", "   2. None of these"]


def test_a_document_shows_its_name_size_caption_and_first_lines() -> None:
    payload = "\n".join(f"line {n}" for n in range(1, 21)).encode()
    lines = terminal.document_lines(
        "nexus-my-data.json", payload, "Everything <b>Nexus</b> stores", "/tmp/x.json"
    )
    assert lines[0] == f"📎 nexus-my-data.json ({len(payload)} bytes)"
    assert lines[1] == "Everything Nexus stores"
    assert lines[2:4] == ["  line 1", "  line 2"]
    assert lines[-3] == f"  … {20 - terminal.PREVIEW_LINES} more lines"
    assert lines[-2:] == ["Saved in full to:", "/tmp/x.json"]
    short = terminal.document_lines("a.json", b'{"a": 1}')
    assert short == ["📎 a.json (8 bytes)", '  {"a": 1}']
