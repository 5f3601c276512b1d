"""Round-trip edits of the kit's YAML files, written atomically.

A stack file is the operator's: an edit keeps its comments, key order, quoting
and every value it does not mean to change. Writes go to a temporary file in
the same directory (flushed and fsynced) that then replaces the original, so an
interrupted run leaves either the old file or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from settings import files

DEFAULT_FILE_MODE = 0o644
SAFE_LOADER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class StackFileError(Exception):
    """A file the kit cannot edit safely; the message says which and why."""


@dataclass
class Document:
    """A YAML file loaded for a round-trip edit."""

    path: Path
    text: str  # with LF line endings, as parsed
    data: Any
    yaml: YAML
    newline: str = "\n"  # the file's own line ending: an operator's CRLF file stays CRLF
    bom: bool = False  # the file began with a UTF-8 BOM, and keeps it

    def dumps(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return ("\ufeff" if self.bom else "") + out.getvalue().replace("\n", self.newline)


def load(path: Path, default: Optional[str] = None) -> Document:
    """Load `path` for editing; `default` is the text of a file that does not exist yet."""
    bom = False
    try:
        read = files.read_text(path)  # a regular file, size-capped; CRLF kept (read_text would turn it into LF)
        text, bom = read.text, read.bom
    except files.MissingFileError:
        if default is None:
            raise StackFileError(f"{path} does not exist") from None
        text = default
    except files.InputFileError as exc:
        raise StackFileError(str(exc)) from None
    document = loads(text, path)
    document.bom = bom
    return document


def loads(text: str, path: Path) -> Document:
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    try:
        files.check_yaml(text, path)  # duplicate keys, alias expansion, depth: refused with file:line:column
        parser = _yaml(text)
        data = parser.load(text)
    except files.InputFileError as exc:
        raise StackFileError(str(exc)) from None
    except YAMLError as exc:
        raise StackFileError(f"{path} is not valid YAML: {exc}".replace("\n", " ")) from None
    return Document(path, text, data, parser, newline)


def config_section(document: Document) -> CommentedMap:
    """The stack file's `config:` mapping."""
    if not isinstance(document.data, CommentedMap) or not isinstance(document.data.get("config"), CommentedMap):
        raise StackFileError(f"{document.path} has no `config:` mapping; is it a Pulumi stack file?")
    return document.data["config"]


def set_mapping(parent: CommentedMap, key: str, values: Mapping[str, Any]) -> None:
    """Make parent[key] hold exactly `values`, editing the existing mapping in place.

    Keys keep their position and comments; new keys go at the end; a scalar keeps
    its quoting style, and a string YAML would read as something else is quoted.
    """
    current = parent.get(key)
    if not isinstance(current, CommentedMap):
        current = CommentedMap()
        parent[key] = current
    for name in [name for name in current if name not in values]:
        del current[name]
    for name, value in values.items():
        current[name] = scalar(value, current.get(name))


def append(sequence: CommentedSeq, values: Mapping[str, Any], quoted: Collection[str] = ()) -> None:
    """Append a mapping; strings under `quoted` keys are double-quoted whatever they hold."""
    sequence.fa.set_block_style()  # `releases: []` grows into one entry per block, not a flow list
    sequence.append(
        CommentedMap(
            (name, DoubleQuotedScalarString(value) if name in quoted and isinstance(value, str) else scalar(value))
            for name, value in values.items()
        )
    )


def scalar(value: Any, previous: Any = None) -> Any:
    if not isinstance(value, str):
        return value
    if isinstance(previous, (SingleQuotedScalarString, DoubleQuotedScalarString)):
        return type(previous)(value)  # keep the file's quoting
    # Quote what a YAML reader would read as a number, date or bool: the kit's (YAML 1.2, as
    # Pulumi) or a YAML 1.1 one (`no`, `on`), which other tools reading the file may use.
    return value if _reads_back(value) else DoubleQuotedScalarString(value)


def write_all(changes: Sequence[tuple[Path, str]]) -> None:
    """Replace each file with its new text, in order; if one fails, put back those already replaced.

    Every new text is staged (written, flushed, fsynced) before the first rename, so the
    window in which only some files have changed is a handful of renames.
    """
    targets = [(path.resolve(), text.encode("utf-8")) for path, text in changes]
    originals = {target: target.read_bytes() if target.exists() else None for target, _ in targets}
    staged: list[tuple[Path, str]] = []
    replaced: list[Path] = []
    try:
        for target, data in targets:
            staged.append((target, _stage(target, data)))
        for target, temporary in staged:
            os.replace(temporary, target)
            replaced.append(target)
            _sync_directory(target.parent)
    except BaseException:
        for target, temporary in staged:
            if target not in replaced:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        _restore(replaced, originals)
        raise


def _restore(replaced: list[Path], originals: Mapping[Path, Optional[bytes]]) -> None:
    for target in reversed(replaced):
        original = originals[target]
        with contextlib.suppress(OSError):
            if original is None:
                target.unlink()
            else:
                os.replace(_stage(target, original), target)


def _stage(target: Path, data: bytes) -> str:
    """A fsynced temporary copy of `data` beside `target`, with target's file mode."""
    mode = target.stat().st_mode & 0o7777 if target.exists() else _default_mode()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return DEFAULT_FILE_MODE & ~umask


def _yaml(text: str) -> YAML:
    """A round-trip parser that writes with the indentation the file already uses."""
    mapping, sequence, offset = _indentation(text)
    parser = YAML()
    parser.preserve_quotes = True
    parser.width = 4096  # never fold a long image reference or URL
    parser.indent(mapping=mapping, sequence=sequence, offset=offset)
    return parser


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) of the first nested block of each kind."""
    mapping = sequence = offset = None
    parent: Optional[int] = None  # indent of the previous line when it was a bare `key:`
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if parent is not None and indent >= parent:
            if stripped.startswith("- ") and sequence is None:
                content = indent + 2 + len(stripped[2:]) - len(stripped[2:].lstrip(" "))
                offset, sequence = indent - parent, content - parent
            elif indent > parent and not stripped.startswith("- ") and mapping is None:
                mapping = indent - parent
        is_key_only = re.fullmatch(r"[^#]*:(\s+#.*)?", stripped) and not stripped.startswith("- ")
        parent = indent if is_key_only else None
        if mapping is not None and sequence is not None:
            break
    mapping = mapping or 2
    return mapping, sequence or mapping + 2, offset if offset is not None else mapping


def _reads_back(value: str) -> bool:
    """Both YAML 1.2 (the kit, Pulumi) and YAML 1.1 (PyYAML) read `value`, written plain, as the same string."""
    if "\n" in value:
        return False
    try:
        yaml_1_1 = pyyaml.load(str(value), Loader=SAFE_LOADER)
    except pyyaml.YAMLError:
        return False
    try:
        yaml_1_2 = files.parse_yaml(str(value), "a value")
    except files.InputFileError:
        return False
    return yaml_1_1 == value and yaml_1_2 == value
