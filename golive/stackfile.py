"""Round-trip edits of the kit's YAML files, written atomically.

A stack file is the operator's: an edit keeps its comments, key order, quoting
and every value it does not mean to change. Writes go to a temporary file in
the same directory (flushed and fsynced) that then replaces the original, so an
interrupted run leaves either the old file or the new one, never half of each.

A command that edits several files together (a release: the stack file and its
history) holds `locked` from its first read to its last write, so two runs never
interleave, and `write_all` compares each file with what was read before
replacing it. Before the first rename it writes a journal holding every new
text; a run killed at any point (SIGKILL between two renames included) leaves
the journal, and the next run's `recover` completes the change from it and
removes the temporary files the killed run left.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import signal
import stat
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
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
LOCK_WAIT_SECONDS = 15.0  # how long a run waits for another one on the same files
_DEFERRED_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
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
    raw: Optional[bytes] = None  # the file's bytes as read; None when it did not exist
    original: Optional[str] = None  # the text as in the file (no BOM, its own line endings)

    def dumps(self) -> str:
        """The whole document written anew: layout outside the values may be normalised."""
        return ("\ufeff" if self.bom else "") + self._dump().replace("\n", self.newline)

    def dumps_only(self, path: Sequence[str]) -> str:
        """The file as read with only the lines of the block at `path` (keys from the top) replaced
        by the block as edited: outside it, every byte is kept (BOM, comments, spacing, a `...`
        line, a missing final newline, mixed line endings)."""
        original = self.text if self.original is None else self.original
        dumped = self._dump()
        old_lines, new_lines = _lines(original), _lines(dumped)
        new_span = _block_span(dumped, new_lines, path)
        if new_span is None:
            raise StackFileError(f"{self.path}: the edited block {'.'.join(path)} is not in the written text")
        old_span = _block_span(self.text, old_lines, path)
        if old_span is None:  # a new block: after the last block of its parent mapping
            after = _block_span(self.text, old_lines, path[:-1], last_child=True)
            if after is None:
                raise StackFileError(
                    f"{self.path}: cannot tell where to add {path[-1]} (is {'.'.join(path[:-1])} a flow mapping?); "
                    "add the block by hand"
                )
            old_span = (after[1], after[1])
        start, end = old_span
        block = [line.rstrip("\n") + self.newline for line in new_lines[new_span[0] : new_span[1]]]
        if end == len(old_lines) and not original.endswith(("\n", "\r")):
            if start == end and old_lines:  # appended after a last line that has no line break
                block[0] = self.newline + block[0]
            block[-1] = block[-1].rstrip("\r\n")  # the file ended without a line break: so it still does
        text = "".join([*old_lines[:start], *block, *old_lines[end:]])
        _same_data(text, dumped, self.path)
        return ("\ufeff" if self.bom else "") + text

    def _dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()


def load(path: Path, default: Optional[str] = None) -> Document:
    """Load `path` for editing; `default` is the text of a file that does not exist yet."""
    bom, raw = False, None
    try:
        read = files.read_text(path)  # a regular file, size-capped; CRLF kept (read_text would turn it into LF)
        text, bom = read.text, read.bom
        raw = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    except files.MissingFileError:
        if default is None:
            raise StackFileError(f"{path} does not exist") from None
        if os.path.islink(path):
            raise StackFileError(f"{path} is a link to nothing; remove the link or point it at a file") from None
        text = default
    except files.InputFileError as exc:
        raise StackFileError(str(exc)) from None
    document = loads(text, path)
    document.bom, document.raw, document.original = bom, raw, text
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


@contextlib.contextmanager
def locked(lock_path: Path, what: str, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created, and removed when done) for the block.

    The lock file is removed while held; a run that waited on the removed file sees that
    the path no longer names it and locks the new one instead, so two runs never both hold it.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = os.open(lock_path, flags, 0o600)
        except OSError as exc:
            raise StackFileError(f"cannot lock {what} with {lock_path} ({exc.strerror or exc})") from None
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise StackFileError(f"{lock_path} is not a regular file; remove it")
            if _acquire(descriptor, deadline):
                try:
                    if os.stat(lock_path, follow_symlinks=False).st_ino == os.fstat(descriptor).st_ino:
                        break
                except FileNotFoundError:
                    pass  # the holder removed it as it finished: lock the next one
                os.close(descriptor)
                continue
            raise StackFileError(
                f"another `golive release` or `golive rollback` is changing {what} (it holds {lock_path}); "
                f"waited {wait_seconds:g} s: let it finish, then run again; nothing was written"
            )
        except BaseException:
            os.close(descriptor)
            raise
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(descriptor)


def _acquire(descriptor: int, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def write_all(changes: Sequence[tuple[Path, str, Optional[bytes]]], journal: Path) -> None:
    """Replace each file with its new text, in order, if it still holds the bytes it was read with
    (None: it did not exist); if a step fails, put back those already replaced.

    Every new text is staged (written, flushed, fsynced) and recorded in `journal` before the
    first rename; SIGINT and SIGTERM wait until the renames are done. Call it under `locked`.
    """
    targets = [(_target(path), text.encode("utf-8"), expected) for path, text, expected in changes]
    originals = {}
    for target, _, expected in targets:
        current = _current(target)
        if current != expected:
            raise StackFileError(
                f"{target} changed while this command ran (another editor?); nothing was written: run it again"
            )
        originals[target] = current
    staged: list[tuple[Path, str]] = []
    replaced: list[Path] = []
    try:
        for target, data, _ in targets:
            staged.append((target, _stage(target, data)))
        journal_temporary = _stage(journal, _journal_text(journal, targets))
        staged.append((journal, journal_temporary))  # removed below if the run fails before its rename
        with _signals_deferred():
            os.replace(journal_temporary, journal)
            _sync_directory(journal.parent)
            for target, temporary in staged[:-1]:
                os.replace(temporary, target)
                replaced.append(target)
                _sync_directory(target.parent)
            os.unlink(journal)
    except BaseException:
        for target, temporary in staged:
            if target not in replaced:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        _restore(replaced, originals)
        with contextlib.suppress(OSError):
            os.unlink(journal)
        raise


def recover(journal: Path, managed: Sequence[Path]) -> list[str]:
    """Finish what a killed `write_all` began, and remove its temporary files; notes for the operator.

    A journal exists only once every new text was staged: the change was decided, so it is
    completed (each file still holding its old bytes gets its new text). Call it under `locked`.
    """
    notes = []
    if os.path.lexists(journal):
        try:
            entries = json.loads(files.read_text(journal).text)["files"]
            plan = [(journal.parent / e["path"], e["old"], e["new"].encode("utf-8")) for e in entries]
        except (files.InputFileError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StackFileError(
                f"{journal} records an interrupted change but cannot be read ({exc}); compare the files it "
                "names with their history by hand, then delete it"
            ) from None
        for target, old_digest, data in plan:
            current = _current(target)
            if current == data:
                continue
            if _digest(current) != old_digest:
                raise StackFileError(
                    f"{journal} records an interrupted change to {target}, but the file has been edited since; "
                    "finish or undo the change by hand, then delete the journal"
                )
            os.replace(_stage(target, data), target)
            _sync_directory(target.parent)
        os.unlink(journal)
        notes.append(f"note: completed the change an interrupted run left in {journal.name} ({len(plan)} files)")
    for path in [*managed, journal]:
        for orphan in path.parent.glob(f".{path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                orphan.unlink()
    return notes


def _target(path: Path) -> Path:
    """The file a write replaces: a link is followed to a regular file, never to anything else."""
    if os.path.islink(path) and not path.exists():
        raise StackFileError(f"{path} is a link to nothing; remove the link or point it at a file")
    target = path.resolve()
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(info.st_mode):
        raise StackFileError(f"{path} is not a regular file; refusing to replace it; nothing was written")
    if not os.access(target, os.W_OK) or not info.st_mode & 0o222:
        raise StackFileError(
            f"{path} is read-only; nothing was written: make it writable (chmod u+w) if this change is meant"
        )
    return target


def _current(target: Path) -> Optional[bytes]:
    try:
        return files.read_bytes(target)
    except files.MissingFileError:
        return None
    except files.InputFileError as exc:
        raise StackFileError(str(exc)) from None


def _digest(data: Optional[bytes]) -> Optional[str]:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _journal_text(journal: Path, targets: Sequence[tuple[Path, bytes, Optional[bytes]]]) -> bytes:
    entries = [
        {"path": os.path.relpath(target, journal.parent.resolve()), "old": _digest(old), "new": data.decode("utf-8")}
        for target, data, old in targets
    ]
    return json.dumps({"files": entries}, indent=1).encode("utf-8")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP are held until the block ends (then delivered)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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


def _lines(text: str) -> list[str]:
    """Lines with their endings, split at LF only (a CR before it stays on its line; no U+2028 split)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _block_span(
    text: str, lines: Sequence[str], path: Sequence[str], last_child: bool = False
) -> Optional[tuple[int, int]]:
    """(first, end) line indexes of the block at `path` in `text`; None if it is not a block there.

    The block is its key's line and every following line indented deeper, up to the last such
    line that is not blank or a comment: comments and blank lines after it stay outside.
    With `last_child`, the span of the last entry of the mapping at `path`.
    """
    try:
        node = _yaml(text).load(text)
        for key in path[:-1]:
            node = node[key]
        if last_child:
            node = node[path[-1]]
            if not isinstance(node, CommentedMap) or not node:
                return None
            key = list(node)[-1]
        else:
            key = path[-1]
            if not isinstance(node, CommentedMap) or key not in node:
                return None
        line, column = node.lc.key(key)
    except (YAMLError, KeyError, TypeError, AttributeError):
        return None
    if line >= len(lines) or not _starts_with_key(lines[line][column:], key):
        # The parser counts lines differently (a lone CR, U+2028...): refuse rather than guess.
        raise StackFileError(
            f"cannot find the lines of {'.'.join(path)} (the file holds a line break other than LF or CRLF); "
            "nothing was written: save it with LF or CRLF line endings"
        )
    end = line + 1
    for index in range(line + 1, len(lines)):
        content = lines[index].strip()
        if not content or content.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip(" ")) <= column:
            break
        end = index + 1
    return line, end


def _starts_with_key(text: str, key: str) -> bool:
    return any(text.startswith(form) for form in (key, f'"{key}"', f"'{key}'", "? "))


def _same_data(text: str, dumped: str, path: Path) -> None:
    """The spliced text reads as the document dumped whole would: the splice lost or moved nothing."""
    try:
        spliced, whole = (files.parse_yaml(t, path) for t in (text.replace("\r\n", "\n"), dumped))
    except files.InputFileError as exc:
        raise StackFileError(f"the edited {path} cannot be read back ({exc}); nothing was written") from None
    if spliced != whole:
        raise StackFileError(
            f"editing {path} line by line would not give the intended values; nothing was written: "
            "set the block by hand and open an issue with the file"
        )


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
