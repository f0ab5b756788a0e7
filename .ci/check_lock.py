"""Fail when the installed packages (from requirements/test.lock) no longer satisfy
pyproject.toml: a dependency added or a bound changed without running `.ci/lock`.

Checks every requirement of the project, its `postgres` and `test` extras, and the
extras they ask of others (e.g. python-telegram-bot[job-queue]) against what is
installed; `pip check` covers the rest of the tree."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

EXTRAS = ("postgres", "test")


def problems(requirements: list[Requirement], seen: set[str]) -> list[str]:
    found = []
    for requirement in requirements:
        key = f"{requirement.name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found.append(f"{requirement} is not in the lock")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            found.append(f"{requirement} but the lock has {requirement.name} {installed}")
        wanted = [
            Requirement(text)
            for text in metadata.requires(requirement.name) or []
            for extra in requirement.extras
            if (nested := Requirement(text)).marker is not None
            and "extra" in str(nested.marker)
            and nested.marker.evaluate({"extra": extra})
        ]
        found += problems(wanted, seen)
    return found


def main() -> int:
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + [
        text for extra in EXTRAS for text in project["optional-dependencies"][extra]
    ]
    required = [r for r in map(Requirement, texts) if r.marker is None or r.marker.evaluate()]
    found = problems(required, set())
    for problem in found:
        print(f"lock out of date: {problem}; run .ci/lock", file=sys.stderr)
    if found:
        return 1
    print(f"lock satisfies pyproject.toml: {len(required)} requirements checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
