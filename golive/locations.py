"""Where a key sits in a YAML file: the line and column of every key and list item.

The waivers file names the line of a malformed key in its errors, and SARIF points a
finding at the line of the stack-file key it is about. Text is first refused or
accepted by `settings.files.check_yaml` (duplicate keys, depth, aliases); the marks come
from the composed node graph, which builds no value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Optional, Union

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from settings import files

Key = tuple[Union[str, int], ...]  # ("config", "objectos:cors", "origins", 0)
Mark = tuple[int, int]  # 1-based line and column


def marks(text: str, source: Path | str, checked: bool = False) -> dict[Key, Mark]:
    """Line and column of every key (and list item) of a YAML document, by its path from the root.

    `checked`: the text has just passed `settings.files.check_yaml` (or `parse_yaml`), so it is not
    read a third time."""
    if not checked:
        files.check_yaml(text, source)
    return _marks(text)[0]


def value_at(text: str, line: int, column: int) -> Optional[Key]:
    """The path of the value that starts at `line`:`column`, for naming the key of a value YAML refused.

    Composing builds no value, so it holds where constructing a value (a date 2026-13-01) failed.
    """
    try:
        values = _marks(text)[1]
    except Exception:  # the text is already known to be bad; no path is a fine answer
        return None
    return next((path for path, mark in values.items() if mark == (line, column)), None)


def _marks(text: str) -> tuple[dict[Key, Mark], dict[Key, Mark]]:
    root = YAML(typ="safe", pure=True).compose(text)
    keys: dict[Key, Mark] = {}
    values: dict[Key, Mark] = {}
    stack: list[tuple[Node, Key]] = [(root, ())] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # an alias: its keys are marked where it is defined
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    child = (*path, str(key_node.value))
                    keys[child] = _mark(key_node)
                    values[child] = _mark(value_node)
                    stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                keys[child] = values[child] = _mark(item)
                stack.append((item, child))
    return keys, values


def _mark(node: Node) -> Mark:
    return node.start_mark.line + 1, node.start_mark.column + 1


def nearest(found: Mapping[Key, Mark], path: Key) -> Optional[Mark]:
    """The mark of `path`, or of its closest ancestor that has one."""
    for length in range(len(path), 0, -1):
        mark = found.get(path[:length])
        if mark:
            return mark
    return None
