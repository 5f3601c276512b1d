"""Java regular expressions (the dialect of botocore's `pattern` traits) as Python `re` patterns.

AWS validates request members server side with java.util.regex, matching the whole
value. Python's `re` differs where it matters here: `\\w`, `\\d`, `\\s` are ASCII in Java
and Unicode in Python; Java has `\\p{L}`-style classes, `\\x{...}`, `\\Q...\\E`, nested and
intersected character classes (`[a-z&&[^b]]`), surrogate-pair escapes, and a `.` that
stops at every line terminator. Character classes are parsed into code-point ranges
and written back out explicitly, so every class means in Python what it means in Java.
A construct with no faithful translation raises `Untranslatable`: the rule is then
reported as not checked, never guessed.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
import unicodedata

MAX = sys.maxunicode
Ranges = list[tuple[int, int]]


class Untranslatable(ValueError):
    """A Java pattern this translator cannot render faithfully in Python."""


# --- character sets ---------------------------------------------------------------------

_ASCII_SETS: dict[str, Ranges] = {
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0D), (0x20, 0x20)],  # Java: [ \t\n\x0B\f\r]
    "h": [
        (0x09, 0x09),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x180E, 0x180E),
        (0x2000, 0x200A),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
    ],
    "v": [(0x0A, 0x0D), (0x85, 0x85), (0x2028, 0x2029)],
}

_POSIX: dict[str, Ranges] = {  # Java's POSIX classes are US-ASCII only
    "ASCII": [(0x00, 0x7F)],
    "Lower": [(0x61, 0x7A)],
    "Upper": [(0x41, 0x5A)],
    "Alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "Digit": [(0x30, 0x39)],
    "Alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "Punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "Graph": [(0x21, 0x7E)],
    "Print": [(0x20, 0x7E)],
    "Blank": [(0x09, 0x09), (0x20, 0x20)],
    "Cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "XDigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    "Space": [(0x09, 0x0D), (0x20, 0x20)],
}

# Planes 4 to 13 hold no assigned characters (all Cn); skipping them makes the table cheap.
_UNASSIGNED_PLANES = (0x40000, 0xDFFFF)


@functools.lru_cache(maxsize=1)
def _categories() -> dict[str, Ranges]:
    """Unicode general category (one and two letters) -> code-point ranges, from unicodedata."""
    table: dict[str, Ranges] = {}
    spans = ((0, _UNASSIGNED_PLANES[0] - 1), (_UNASSIGNED_PLANES[1] + 1, MAX))
    for low, high in spans:
        start = low
        for category, group in itertools.groupby(map(unicodedata.category, map(chr, range(low, high + 1)))):
            end = start + sum(1 for _ in group) - 1
            table.setdefault(category, []).append((start, end))
            start = end + 1
    table.setdefault("Cn", []).append(_UNASSIGNED_PLANES)
    for category in list(table):
        table.setdefault(category[0], []).extend(table[category])
    return {name: _merge(ranges) for name, ranges in table.items()}


def _property(name: str) -> Ranges:
    if name in _POSIX:
        return _POSIX[name]
    category = name[2:] if name.startswith("Is") and len(name) <= 4 else name
    category = category[3:] if category.startswith("gc=") else category
    found = _categories().get(category)
    if found is None:
        raise Untranslatable(f"unsupported property class \\p{{{name}}}")
    return found


def _merge(ranges: Ranges) -> Ranges:
    merged: Ranges = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


def _complement(ranges: Ranges) -> Ranges:
    result: Ranges = []
    start = 0
    for low, high in _merge(ranges):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= MAX:
        result.append((start, MAX))
    return result


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    return _complement(_complement(a) + _complement(b))


def _render(ranges: Ranges) -> str:
    ranges = _merge(ranges)
    if not ranges:
        return "(?!)"  # an empty class matches nothing
    parts = [f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges]
    return "[" + "".join(parts) + "]"


# --- the translator ---------------------------------------------------------------------

_LINE_TERMINATORS = [(0x0A, 0x0A), (0x0D, 0x0D), (0x85, 0x85), (0x2028, 0x2029)]
_SIMPLE_ESCAPES = {"t": 0x09, "n": 0x0A, "r": 0x0D, "f": 0x0C, "a": 0x07, "e": 0x1B}


class _Reader:
    def __init__(self, pattern: str):
        self.text, self.pos = pattern, 0

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def take(self, count: int = 1) -> str:
        part = self.text[self.pos : self.pos + count]
        if len(part) < count:
            raise Untranslatable("pattern ends inside an escape or class")
        self.pos += count
        return part

    def done(self) -> bool:
        return self.pos >= len(self.text)


def _hex(reader: _Reader, digits: int) -> int:
    part = reader.take(digits)
    try:
        return int(part, 16)
    except ValueError:
        raise Untranslatable(f"bad hex escape {part!r}") from None


def _code_escape(reader: _Reader, letter: str) -> int | None:
    """The code point of a single-character escape (after the backslash), or None if it is a set."""
    if letter in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[letter]
    if letter == "x":
        if reader.peek() == "{":
            reader.take()
            end = reader.text.find("}", reader.pos)
            if end < 0:
                raise Untranslatable("unterminated \\x{...}")
            value = int(reader.take(end - reader.pos), 16)
            reader.take()
            return value
        return _hex(reader, 2)
    if letter == "u":
        value = _hex(reader, 4)
        if 0xD800 <= value <= 0xDBFF and reader.peek() == "\\" and reader.peek(1) == "u":
            saved = reader.pos
            reader.take(2)
            low = _hex(reader, 4)
            if 0xDC00 <= low <= 0xDFFF:  # a surrogate pair is one supplementary character in Java
                return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            reader.pos = saved
        return value
    if letter == "0":
        digits = ""
        while len(digits) < 3 and reader.peek() in "01234567" and reader.peek():
            digits += reader.take()
        if not digits:
            raise Untranslatable("bad octal escape \\0")
        return int(digits, 8)
    if letter == "c":
        return ord(reader.take()) ^ 0x40
    return None


def _set_escape(reader: _Reader, letter: str) -> Ranges | None:
    """The code-point set of a class escape (after the backslash), or None if it is not one."""
    if letter.lower() in _ASCII_SETS:
        ranges = _ASCII_SETS[letter.lower()]
        return _complement(ranges) if letter.isupper() else ranges
    if letter in "pP":
        if reader.peek() == "{":
            reader.take()
            end = reader.text.find("}", reader.pos)
            if end < 0:
                raise Untranslatable("unterminated \\p{...}")
            name = reader.take(end - reader.pos)
            reader.take()
        else:
            name = reader.take()
        ranges = _property(name)
        return _complement(ranges) if letter == "P" else ranges
    return None


def _class(reader: _Reader) -> Ranges:
    """A Java character class, the opening '[' already read: its code points."""
    negate = reader.peek() == "^"
    if negate:
        reader.take()
    ranges, intersected = _class_body(reader)
    if negate and intersected:
        raise Untranslatable("a negated class with an intersection (Java versions disagree on it)")
    return _complement(ranges) if negate else ranges


def _class_body(reader: _Reader) -> tuple[Ranges, bool]:
    """Items up to and including the closing ']'; '&&' intersects with the rest of the class."""
    result: Ranges = []
    first = True
    while True:
        if reader.done():
            raise Untranslatable("unterminated character class")
        char = reader.peek()
        if char == "]" and not first:
            reader.take()
            return _merge(result), False
        first = False
        if char == "[":
            reader.take()
            result += _class(reader)  # a nested class is a union
            continue
        if reader.text.startswith("&&", reader.pos):
            reader.take(2)
            rest, _ = _class_body(reader)
            return _intersect(result, rest), True
        low = _class_atom(reader)
        if isinstance(low, list):
            result += low
            continue
        if reader.peek() == "-" and reader.peek(1) not in ("]", "[", ""):
            saved = reader.pos
            reader.take()
            high = _class_atom(reader)
            if isinstance(high, list):  # '-' before a set is a literal hyphen
                reader.pos = saved
                result.append((low, low))
                continue
            if high < low:
                raise Untranslatable(f"bad range {chr(low)!r}-{chr(high)!r}")
            result.append((low, high))
        else:
            result.append((low, low))


def _class_atom(reader: _Reader) -> int | Ranges:
    char = reader.take()
    if char != "\\":
        return ord(char)
    letter = reader.take()
    if letter == "Q":
        raise Untranslatable("\\Q inside a character class")
    code = _code_escape(reader, letter)
    if code is not None:
        return code
    found = _set_escape(reader, letter)
    if found is not None:
        return found
    if letter.isalnum():
        raise Untranslatable(f"unsupported escape \\{letter} in a class")
    return ord(letter)


def translate(pattern: str) -> str:
    """The Python `re` pattern matching what the Java pattern matches."""
    reader = _Reader(pattern)
    out: list[str] = []
    dotall = "(?s" in pattern
    while not reader.done():
        char = reader.take()
        if char == "[":
            out.append(_render(_class(reader)))
        elif char == ".":
            out.append("." if dotall else _render(_complement(_LINE_TERMINATORS)))
        elif char == "(" and reader.peek() == "?" and reader.peek(1) == "<" and reader.peek(2) not in "=!":
            reader.take(2)
            out.append("(?P<")
        elif char == "\\":
            out.append(_escape(reader))
        else:
            out.append(char)
    return "".join(out)


def _escape(reader: _Reader) -> str:
    letter = reader.take()
    if letter == "Q":
        end = reader.text.find("\\E", reader.pos)
        end = len(reader.text) if end < 0 else end
        literal = reader.take(end - reader.pos)
        if reader.text.startswith("\\E", reader.pos):
            reader.take(2)
        return re.escape(literal)
    if letter == "z":
        return r"\Z"
    if letter == "Z":
        return r"(?=\n?\Z)"
    if letter == "R":
        return r"(?:\r\n|[\n\x0b\f\r\x85\u2028\u2029])"
    if letter in "GX":
        raise Untranslatable(f"unsupported escape \\{letter}")
    if letter == "k" and reader.peek() == "<":
        end = reader.text.find(">", reader.pos)
        if end < 0:
            raise Untranslatable("unterminated \\k<name>")
        name = reader.take(end - reader.pos + 1)[1:-1]
        return f"(?P={name})"
    if letter in "AbB" or letter.isdigit() and letter != "0":
        return "\\" + letter
    code = _code_escape(reader, letter)
    if code is not None:
        return f"\\U{code:08x}"
    found = _set_escape(reader, letter)
    if found is not None:
        return _render(found)
    if letter.isalnum():
        raise Untranslatable(f"unsupported escape \\{letter}")
    return re.escape(letter)


@functools.cache
def compile_java(pattern: str) -> re.Pattern:
    """The compiled translation (cached: each pattern is translated once per process)."""
    try:
        return re.compile(translate(pattern))
    except re.error as exc:
        raise Untranslatable(f"Python cannot compile the translation: {exc}") from None
