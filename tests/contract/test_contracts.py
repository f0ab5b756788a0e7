"""Contracts that keep the house in order: commands documented and registered,
import rules of DESIGN.md, content valid."""

from __future__ import annotations

import argparse
import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.presentation import views
from bot.presentation.commands import ADMIN_COMMANDS, COMMANDS, GROUP_ADMIN_COMMANDS
from bot.settings import Settings

ROOT = Path(__file__).parents[2]


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name `path` is imported as (a package by its folder's name)."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def imports_of(path: Path, root: Path = ROOT) -> frozenset[str]:
    """Full dotted names the Python file `path` imports, anywhere in it (functions and
    TYPE_CHECKING blocks too), relative imports resolved: `from storage import
    Database` is "storage.Database", `from ..telegram import views` in
    bot/services/x.py is "bot.telegram.views"."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            names |= {base if a.name == "*" else f"{base}.{a.name}" for a in node.names}
    return frozenset(names)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@dataclass(frozen=True)
class ImportRule:
    """Python files under `where` (folders or files), except those under `unless`,
    import nothing in `forbidden` (a module and all below it) that `allowed` does not
    name. An `optional` folder may not exist yet: the rule then has nothing to check."""

    name: str
    where: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    optional: bool = False

    def files(self, root: Path = ROOT) -> list[str]:
        found: list[str] = []
        for place in self.where:
            path = root / place
            # A folder that does not exist has no files.
            paths = [path] if path.is_file() else sorted(path.rglob("*.py"))
            found += [p.relative_to(root).as_posix() for p in paths]
        return [f for f in found if not any(f == u or f.startswith(u + "/") for u in self.unless)]

    def breaks(self, path: str, root: Path = ROOT) -> list[str]:
        """What `path` imports against this rule."""
        return sorted(
            name
            for name in imports_of(root / path, root)
            if _under(name, self.forbidden) and not _under(name, self.allowed)
        )


# Services reach storage only through the unit-of-work protocol and the records it
# takes and returns (storage/ports.py, storage/records.py), never the SQL machinery.
UNIT_OF_WORK = ("storage.ports", "storage.records", "storage.UnitOfWork", "storage.UnitsOfWork")
# Records are plain values (they live in storage because storage must not import bot);
# a view may name them, but never the database.
RECORDS = ("storage.records",)
RULES = [
    ImportRule("content", ("content",), ("telegram", "sqlalchemy", "storage", "bot", "alembic")),
    ImportRule("storage", ("storage",), ("telegram", "bot")),
    ImportRule(
        "services",
        ("bot/services",),
        (
            *("telegram", "sqlalchemy", "bot.telegram", "bot.presentation", "bot.fake_telegram"),
            # storage.models and the rest of storage, all but its unit of work.
            *("bot.app", "bot.cli", "bot.console", "storage"),
        ),
        allowed=UNIT_OF_WORK,
    ),
    ImportRule(
        "presentation",
        ("bot/presentation",),
        ("telegram", "bot.telegram", "storage", "sqlalchemy", "bot.fake_telegram"),
        allowed=RECORDS,
    ),
    # Telegram types live in the adapter (and the offline fake); bot/app.py wires them.
    ImportRule(
        "telegram-in-adapter",
        ("bot", "content", "storage"),
        ("telegram",),
        unless=("bot/telegram", "bot/fake_telegram", "bot/app.py"),
    ),
    ImportRule("sqlalchemy-in-storage", ("bot",), ("sqlalchemy",)),
]
# Files that break a rule and are known to: each a strict xfail with its reason, so
# fixing one fails its case until its line here is removed. None today.
KNOWN_BREAKS: dict[tuple[str, str], str] = {}


def _rule_cases() -> list[Any]:
    cases = []
    for rule in RULES:
        for path in rule.files():
            reason = KNOWN_BREAKS.get((rule.name, path))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(rule, path, id=f"{rule.name}:{path}", marks=marks))
    return cases


@pytest.mark.parametrize(("rule", "path"), _rule_cases())
def test_import_rule(rule: ImportRule, path: str) -> None:
    assert rule.breaks(path) == []


def test_every_rule_checks_files_and_every_known_break_is_one_of_them() -> None:
    for rule in RULES:
        assert rule.optional or rule.files(), f"rule {rule.name} finds no files"
    checked = {(rule.name, path) for rule in RULES for path in rule.files()}
    assert set(KNOWN_BREAKS) <= checked


def test_the_checker_catches_forbidden_sub_package_imports(tmp_path: Path) -> None:
    """A fake tree: imports the old top-level comparison ("bot", "storage") let pass."""
    sources = {
        "bot/services/__init__.py": "",
        "bot/services/clean.py": "from . import clock\nimport storage.ports\n",
        "bot/services/absolute.py": "from bot.telegram.views import help_text\n",
        "bot/services/relative.py": "from ..telegram import handlers\n",
        "bot/services/deferred.py": "def wire() -> None:\n    import bot.app\n",
        "bot/services/pkg/__init__.py": "from ...presentation import views\n",
        "bot/services/database.py": "from storage import Database, UnitOfWork\n",
        "bot/presentation/views.py": "from bot.telegram.callbacks import encode\n",
    }
    for name, source in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    rules = {rule.name: rule for rule in RULES}
    found = {
        path: rule.breaks(path, tmp_path)
        for rule in (rules["services"], rules["presentation"])
        for path in rule.files(tmp_path)
    }
    assert found == {
        "bot/services/__init__.py": [],
        "bot/services/absolute.py": ["bot.telegram.views.help_text"],
        "bot/services/clean.py": [],
        "bot/services/database.py": ["storage.Database"],
        "bot/services/deferred.py": ["bot.app"],
        "bot/services/pkg/__init__.py": ["bot.presentation.views"],
        "bot/services/relative.py": ["bot.telegram.handlers"],
        "bot/presentation/views.py": ["bot.telegram.callbacks.encode"],
    }


def test_one_place_wires_the_application() -> None:
    callers = [
        path
        for path in ROOT.joinpath("bot").rglob("*.py")
        if "build_application(" in path.read_text() and path.name != "application.py"
    ]
    assert [p.relative_to(ROOT).as_posix() for p in callers] == ["bot/app.py"]


def test_every_command_is_in_help_and_the_docs() -> None:
    """Learners' commands in /help and docs/learners.md, admins' in the admins' /help
    and docs/admins.md (each page is its audience's one home for them)."""
    help_text = views.help_text().text
    admin_help = views.help_text(admin=True).text
    learners = (ROOT / "docs" / "learners.md").read_text()
    admins = (ROOT / "docs" / "admins.md").read_text()
    for command in COMMANDS:
        assert f"/{command.name}" in help_text
        assert f"`/{command.name}" in learners, f"/{command.name} is not in docs/learners.md"
    for command in ADMIN_COMMANDS:
        assert f"/{command.name}" not in help_text and f"/{command.name}" in admin_help
        assert f"`/{command.name}" in admins, f"/{command.name} is not in docs/admins.md"
    for command in GROUP_ADMIN_COMMANDS:  # any group's administrators
        assert f"`/{command.name}" in admins, f"/{command.name} is not in docs/admins.md"


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
    assert registered == {c.name for c in (*COMMANDS, *ADMIN_COMMANDS, *GROUP_ADMIN_COMMANDS)}


def test_every_cli_command_is_in_the_cli_page() -> None:
    """Every subcommand the parser knows has a row in docs/cli.md's table."""
    from bot.cli.parser import build_parser

    page = (ROOT / "docs" / "cli.md").read_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = []
    for name, sub in commands.choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        names += [f"{name} {child}" for a in nested for child in a.choices] or [name]
    assert "content check" in names and "db copy" in names
    for name in names:
        assert f"| `nexus-bot {name}" in page, f"nexus-bot {name} is not in docs/cli.md"


def test_every_setting_is_in_env_example_and_the_readmes_table() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    source = (ROOT / "bot" / "settings.py").read_text()
    names = sorted(set(__import__("re").findall(r'"((?:TELEGRAM|NEXUS)_[A-Z_]+)"', source)))
    assert "TELEGRAM_BOT_TOKEN" in names and len(names) >= 8
    for name in names:
        assert name in example, name
        assert f"| `{name}` |" in readme, f"{name} has no row in the README's configuration table"
