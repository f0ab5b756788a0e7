"""What the loader and validators report: a problem names the file, the item and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        return f"{self.file}: {self.item}: {self.field}: {self.message} [{kind}]"


class ContentError(Exception):
    """Raised when the content does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the content has {len(problems)} problem(s):\n{lines}")
