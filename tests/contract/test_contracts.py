"""Contracts that keep the house in order: commands documented and registered,
import rules of DESIGN.md, content valid."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.presentation import views
from bot.presentation.commands import ADMIN_COMMANDS, COMMANDS
from bot.settings import Settings

ROOT = Path(__file__).parents[2]


def imports_of(folder: Path) -> dict[str, set[str]]:
    """Top-level modules imported by each Python file under `folder`."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        modules: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = modules
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("content", {"telegram", "sqlalchemy", "storage", "bot", "alembic"}),
        ("storage", {"telegram", "bot"}),
        ("bot/services", {"telegram"}),
    ],
)
def test_import_rules(folder: str, forbidden: set[str]) -> None:
    offenders = {
        path: sorted(modules & forbidden)
        for path, modules in imports_of(ROOT / folder).items()
        if modules & forbidden
    }
    assert offenders == {}


def test_telegram_stays_in_the_adapter() -> None:
    """Telegram types live in bot/telegram/ (and the offline fake); bot/app.py wires them."""
    allowed = ("bot/telegram/", "bot/fake_telegram/", "bot/app.py")
    offenders = [
        path
        for path, modules in imports_of(ROOT / "bot").items()
        if "telegram" in modules and not path.startswith(allowed)
    ]
    assert offenders == []


def test_sqlalchemy_stays_in_storage() -> None:
    offenders = [
        path for path, modules in imports_of(ROOT / "bot").items() if "sqlalchemy" in modules
    ]
    assert offenders == []


def test_one_place_wires_the_application() -> None:
    callers = [
        path
        for path in ROOT.joinpath("bot").rglob("*.py")
        if "build_application(" in path.read_text() and path.name != "application.py"
    ]
    assert [p.relative_to(ROOT).as_posix() for p in callers] == ["bot/app.py"]


def test_every_command_is_in_help_and_readme() -> None:
    help_text = views.help_text().text
    admin_help = views.help_text(admin=True).text
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert f"/{command.name}" in help_text
        assert f"/{command.name}" in readme, f"/{command.name} is not documented in README.md"
    for command in ADMIN_COMMANDS:
        assert f"/{command.name}" not in help_text and f"/{command.name}" in admin_help
        assert f"`/{command.name}`" in readme, f"/{command.name} is not documented in README.md"


def test_every_command_is_registered_and_nothing_else(tmp_path: Path) -> None:
    settings = Settings.from_env({"NEXUS_DATA_DIR": str(tmp_path)})
    nexus = Nexus(settings, request=InMemoryRequest(FakeBotApi()))
    registered = {
        command
        for handlers in nexus.application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    assert registered == {c.name for c in (*COMMANDS, *ADMIN_COMMANDS)}


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in (
        "nexus-bot run",
        "nexus-bot chat",
        "nexus-bot ask",
        "nexus-bot content check",
        "nexus-bot content export",
        "nexus-bot db upgrade",
    ):
        assert command in readme, command


def test_every_setting_is_in_env_example_and_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    source = (ROOT / "bot" / "settings.py").read_text()
    names = sorted(set(__import__("re").findall(r'"((?:TELEGRAM|NEXUS)_[A-Z_]+)"', source)))
    assert "TELEGRAM_BOT_TOKEN" in names and len(names) >= 8
    for name in names:
        assert name in example, name
        assert name in readme, name
