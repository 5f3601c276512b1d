"""The one way the kit reads an operator's file: stack files, release histories, probe files.

Every input file goes through `read_text` and, when it is YAML, `parse_yaml` (or
`check_yaml` in front of a round-trip parser). The guards hold for any file an
operator, a script or an attacker can hand the kit:

- only a regular file is read: a FIFO, a device (`/dev/zero`) or a directory is
  refused, and the open cannot block (O_NONBLOCK, then fstat of the opened file);
- at most `MAX_BYTES` are read; the text is UTF-8, a leading BOM accepted and
  remembered so a round-trip edit writes it back;
- YAML is read in safe mode with YAML 1.2 scalars, as Pulumi reads stack files
  (`backup: no` is the string "no");
- a duplicate key, a syntax error, nesting deeper than `MAX_DEPTH` and aliases
  that expand to more than `MAX_EXPANDED_NODES` values are refused with
  file:line:column, before anything is built from the document.

Errors are `InputFileError`; each caller turns it into its own error type, so
the command prints a message and exits 2. Values quoted in messages are cut to
`shorten`'s limit.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

MAX_BYTES = 1024 * 1024  # a stack file is a few KB; a history grows ~200 bytes a release
MAX_DEPTH = 64  # a stack file nests 5 levels deep
MAX_EXPANDED_NODES = 100_000  # values after expanding every alias; the prod stack has ~600
SHOWN_CHARACTERS = 80  # of a value or key quoted in a message
LINE_CHARACTERS = 1000  # of any one line of an error message, whatever it quotes
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TOO_DEEP = f"nests deeper than {MAX_DEPTH} levels; no kit file needs that"


class InputFileError(Exception):
    """An input file the kit will not use; the message names the file, where, and what to do."""

    def __init__(self, path: Path | str, reason: str, line: Optional[int] = None, column: Optional[int] = None):
        self.path, self.reason, self.line, self.column = str(path), reason, line, column
        super().__init__(f"{self.where}: {reason}")

    @property
    def where(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column is not None else "")


class MissingFileError(InputFileError):
    """The file does not exist (callers that can start from nothing catch this one)."""


@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str  # without the BOM; line endings as in the file
    bom: bool = False  # the file began with a UTF-8 BOM: write it back on a round trip


def shorten(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """`value` as text of at most about `limit` characters, saying how much was cut."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def clip_lines(message: str, limit: int = LINE_CHARACTERS) -> str:
    """`message` with every line cut to `limit`: an echoed 50 MB value stays a short line."""
    return "\n".join(shorten(line, limit) for line in message.split("\n"))


def read_text(path: Path, limit: int = MAX_BYTES) -> TextFile:
    """The text of a regular file of at most `limit` bytes, decoded as UTF-8."""
    data = _read_bytes(Path(path), limit)
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputFileError(path, f"is not UTF-8 text ({exc.reason}); save it as UTF-8", line, column) from None
    return TextFile(Path(path), text, bom)


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (the guards of `read_text`)."""
    return _read_bytes(Path(path), limit)


def load_yaml(path: Path, limit: int = MAX_BYTES) -> Any:
    """A YAML file read safely into plain dicts, lists and scalars."""
    return parse_yaml(read_text(path, limit).text, path)


def parse_yaml(text: str, source: Path | str) -> Any:
    """One YAML document, read safely (YAML 1.2 scalars), after the guards of `check_yaml`."""
    try:
        _check_depth(text)
        return _safe_parser().load(text)
    except _Refusal as exc:
        raise InputFileError(source, exc.reason, exc.line, exc.column) from None
    except MarkedYAMLError as exc:
        raise _marked(exc, source) from None
    except ReaderError as exc:
        line, column = _line_column(text, exc.position)
        reason = f"holds a character YAML does not allow ({exc.reason}, #x{exc.character:04x}); remove it"
        raise InputFileError(source, reason, line, column) from None
    except YAMLError as exc:
        raise InputFileError(source, f"is not valid YAML: {shorten(str(exc).strip(), 200)}") from None
    except RecursionError:
        raise InputFileError(source, _TOO_DEEP) from None


def check_yaml(text: str, source: Path | str) -> None:
    """Refuse what `parse_yaml` refuses, for files a round-trip parser then reads."""
    parse_yaml(text, source)


# --- reading bytes --------------------------------------------------------------------------


def _read_bytes(path: Path, limit: int) -> bytes:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise MissingFileError(path, "does not exist") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO on some platforms
            raise InputFileError(path, "cannot be read: it is not a regular file") from None
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc}); check the path") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(path, f"cannot be read: it is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise InputFileError(path, _too_big(info.st_size, limit))
        chunks, size = [], 0
        while size <= limit:  # st_size can lie (a file still growing, /proc): stop at the cap anyway
            chunk = os.read(descriptor, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputFileError(path, _too_big(size, limit))
        return b"".join(chunks)
    except InputFileError:
        raise
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc}); check the path") from None
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def _too_big(size: int, limit: int) -> str:
    return f"is larger than {limit // 1024} KiB ({size if size <= limit else 'over ' + str(limit)} bytes); kit files are a few KB"


# --- reading YAML ---------------------------------------------------------------------------


class _Refusal(Exception):
    def __init__(self, reason: str, node_or_mark: Any):
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.reason, self.line, self.column = reason, mark.line + 1, mark.column + 1


class _GuardedConstructor(SafeConstructor):
    def construct_document(self, node: Any) -> Any:
        _check_nodes(node)  # before a single value is built
        return super().construct_document(node)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, LookupError, AttributeError, TypeError) as exc:
            # A typed scalar YAML cannot build: a date 2020-13-45, `!!int abc`, a list as a key.
            raise _Refusal(
                f"holds a value YAML cannot read ({shorten(str(exc), 200)}); quote it or fix it", node
            ) from None


def _safe_parser() -> YAML:
    parser = YAML(typ="safe", pure=True)  # pure: the C parser reads YAML 1.1 scalars
    parser.Constructor = _GuardedConstructor
    parser.allow_duplicate_keys = False
    return parser


def _check_depth(text: str) -> None:
    # The composer recurses once per level: measure the depth on the flat event stream first.
    depth = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refusal(_TOO_DEEP, event.start_mark)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _check_nodes(root: Node) -> None:
    """Refuse duplicate keys, aliases that refer to themselves, and alias expansion past the cap.

    Aliases share one node, so the graph stays small while its expansion (what a deep
    copy, a validator or a JSON dump walks) can be exponential; the size of each node's
    expansion is computed once, bottom up, without building it.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise _Refusal(
                    f"expands to more than {MAX_EXPANDED_NODES:,} values through aliases (`*name`); "
                    "write the values out or use fewer aliases",
                    node,
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise _Refusal("holds an alias to a value that contains it; remove it", node)
        open_nodes.add(key)
        if isinstance(node, MappingNode):
            _check_keys(node)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_keys(node: MappingNode) -> None:
    seen: dict[str, Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        name = str(key_node.value)
        first = seen.setdefault(name, key_node)
        if first is not key_node:
            mark = first.start_mark
            raise _Refusal(
                f"has the key '{shorten(name)}' twice (first at line {mark.line + 1}, column {mark.column + 1}); "
                "keep one: Pulumi refuses a duplicate key",
                key_node,
            )


def _line_column(text: str, position: int) -> tuple[int, int]:
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


def _marked(exc: MarkedYAMLError, source: Path | str) -> InputFileError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "is not valid YAML"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    reason = f"is not valid YAML: {shorten(problem, 200)}{shorten(context, 200)}"
    if mark is None:
        return InputFileError(source, reason)
    return InputFileError(source, reason, mark.line + 1, mark.column + 1)
