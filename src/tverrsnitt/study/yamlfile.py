"""Read a YAML file and remember the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DefinitionProblem, StudyDefinitionError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML content plus a map from key path to 1-based line number."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int | None:
        """The line of the deepest known prefix of `key_path`."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, key_path: KeyPath, message: str) -> DefinitionProblem:
        """A problem located at `key_path` in this file."""
        return DefinitionProblem(self.path, format_key_path(key_path, self.data), message,
                                 self.line_of(key_path))


def format_key_path(key_path: KeyPath, data: Any = None) -> str:
    """Render ('figures', 3, 'by') as figures[3 '4.1'].by, naming list entries by id/code."""
    out = ""
    node = data
    for part in key_path:
        if isinstance(part, int):
            name = ""
            if isinstance(node, list) and 0 <= part < len(node) and isinstance(node[part], dict):
                entry = node[part]
                ident = entry.get("id") or entry.get("code") or entry.get("battery")
                name = f" {ident!r}" if ident is not None else ""
            out += f"[{part}{name}]"
        else:
            out += f".{part}" if out else str(part)
        node = _child(node, part)
    return out


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), lines)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file; a syntax error becomes a StudyDefinitionError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyDefinitionError([DefinitionProblem(path, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise StudyDefinitionError(
            [DefinitionProblem(path, "", f"not UTF-8 text ({exc.reason})")]
        ) from None
    # One parse gives both the data and the nodes whose marks hold the lines; libyaml's parser
    # (PyYAML's C binding, present in its wheels) makes loading a study ten times faster.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise StudyDefinitionError(
            [DefinitionProblem(path, "", f"not valid YAML: {reason}", line)]
        ) from None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDocument(path, data, lines)
