"""Keys written twice in one YAML mapping.

YAML loaders keep the last value of a repeated key and say nothing, so a second
`"don scatter": ...` line in `learner_words.yaml`, or a second `questions:` in an
entry, silently replaces the first. `nexus-bot content check` reports them; the
start-up loader does not look (it uses the fast C loader and must stay quick).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from content.problems import Problem


class _KeyRecordingLoader(yaml.SafeLoader):
    """A safe loader that notes every key repeated within one mapping, with its line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[type-arg]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    self.repeated.append((str(key), key_node.start_mark.line + 1))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def repeated_keys(text: str) -> list[tuple[str, int]]:
    """(key, line) for every key that repeats one already in its mapping; [] when the
    text is not valid YAML (reading it reports that)."""
    loader = _KeyRecordingLoader(text)
    try:
        loader.get_single_data()
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    return loader.repeated


def duplicate_key_problems(root: Path) -> list[Problem]:
    """One error per repeated key in any YAML file of the content folder."""
    problems = []
    for path in sorted(root.rglob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported where the file is read
        for key, line in repeated_keys(text):
            problems.append(
                Problem(
                    path.relative_to(root).as_posix(),
                    key,
                    "-",
                    f"key written twice (line {line}): YAML keeps only the last one; merge the two",
                )
            )
    return problems
