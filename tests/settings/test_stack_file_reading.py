"""The one reader of input files: what a stack file may hold, and how each refusal reads.

Stack files are read as Pulumi reads them (YAML 1.2 scalars, a duplicate key refused);
every refusal names the file, the line and the column, and quotes values short.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from settings import files
from settings.errors import SettingsError
from settings.load import read_stack_file, validate
from tests.conftest import ALIAS_BOMB, STACKS

PROD = (STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8")


def stack(tmp_path: Path, text: str, name: str = "Pulumi.prod.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        validate(read_stack_file(path))
    message = str(caught.value)
    assert "<unicode string>" not in message
    return message


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# --- as Pulumi reads a stack file ---------------------------------------------------------


def test_a_duplicate_key_is_refused_with_both_places(tmp_path):
    text = PROD.replace(
        "  objectos:domain: app.example.com\n",
        "  objectos:domain: app.example.com\n  objectos:domain: other.example.com\n",
    )
    path = stack(tmp_path, text)
    second = line_of(text, "objectos:domain: other")
    message = refusal(path)
    assert f"{path}:{second}:3: has the key 'objectos:domain' twice (first at line {second - 1}, column 3)" in message


def test_a_duplicate_key_deep_in_a_mapping_is_refused(tmp_path):
    text = PROD.replace("    cost-center: platform\n", "    cost-center: platform\n    cost-center: finance\n")
    path = stack(tmp_path, text)
    assert f"{path}:{line_of(text, 'cost-center: finance')}:5: has the key 'cost-center' twice" in refusal(path)


def test_no_in_a_string_setting_stays_the_string_no(tmp_path):
    # YAML 1.1 (PyYAML) reads `no` as false, and the tag would be refused as not a string.
    path = stack(tmp_path, PROD.replace("    cost-center: platform\n", "    cost-center: platform\n    backup: no\n"))
    assert validate(read_stack_file(path)).tags["backup"] == "no"


def test_a_syntax_error_names_the_file_line_and_column(tmp_path):
    text = PROD.replace("  objectos:domain: app.example.com\n", "  objectos:domain: [app.example.com\n")
    path = stack(tmp_path, text)
    message = refusal(path)
    assert f"{path}:{line_of(text, 'objectos:domain') + 1}:" in message
    assert "is not valid YAML" in message


def test_a_value_yaml_cannot_build_names_its_line(tmp_path):
    path = stack(tmp_path, "config:\n  aws:region: eu-west-1\n  objectos:since: 2020-13-45\n")
    assert f"{path}:3:19: holds a value YAML cannot read (month must be in 1..12)" in refusal(path)


def test_a_stack_file_with_a_bom_reads_as_the_same_stack(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_bytes(codecs.BOM_UTF8 + PROD.encode("utf-8"))
    assert read_stack_file(path).values == read_stack_file(STACKS / "Pulumi.prod.yaml").values
    assert files.read_text(path).bom and not files.read_text(STACKS / "Pulumi.prod.yaml").bom


def test_a_byte_that_is_not_utf8_is_named_by_line_and_column(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_bytes(b"config:\n  aws:region: eu-\xe9west-1\n")
    assert f"{path}:2:18: is not UTF-8 text" in refusal(path)


# --- what no input file may do ------------------------------------------------------------


def test_aliases_that_expand_past_the_cap_are_refused_before_anything_is_built():
    # 9**9 values (387 million) from ten lines. parse_yaml alone builds shared objects, so this
    # ends even without the cap; what copies them (the settings, the preview) would not.
    with pytest.raises(files.InputFileError) as caught:
        files.parse_yaml(ALIAS_BOMB, "Pulumi.prod.yaml")
    assert str(caught.value).startswith("Pulumi.prod.yaml:9:8: expands to more than 100,000 values through aliases")


def test_an_alias_shared_a_few_times_and_a_merge_key_are_fine(tmp_path):
    text = (
        "config:\n  aws:region: eu-west-1\n  objectos:tags: &tags {team: web}\n"
        "  other:copy: *tags\n  other:merged:\n    <<: *tags\n    extra: 1\n"
    )
    values = read_stack_file(stack(tmp_path, text)).values
    assert values["other:copy"] == {"team": "web"} and values["other:merged"] == {"team": "web", "extra": 1}


def test_an_alias_to_the_value_that_holds_it_is_refused(tmp_path):
    path = stack(tmp_path, "config:\n  aws:region: eu-west-1\n  other:loop: &loop [*loop]\n")
    assert f"{path}:3:15: holds an alias to a value that contains it" in refusal(path)


def test_nesting_past_the_cap_is_refused_with_its_place(tmp_path):
    path = stack(tmp_path, "config:\n  other:deep: " + "[" * 200 + "]" * 200 + "\n")
    assert f"{path}:2:{14 + files.MAX_DEPTH - 1}: nests deeper than {files.MAX_DEPTH} levels" in refusal(path)


def test_a_file_past_the_size_cap_is_refused_unread(tmp_path):
    path = stack(tmp_path, "config:\n  aws:region: eu-west-1\n" + "# padding\n" * (files.MAX_BYTES // 10))
    assert f"{path}: is larger than 1024 KiB" in refusal(path)


@pytest.mark.parametrize("kind", ["device", "directory"])  # a FIFO: tests/golive/test_hostile_input_files.py
def test_only_a_regular_file_is_read(tmp_path, kind):
    path = tmp_path / "Pulumi.prod.yaml"
    if kind == "device":
        path.symlink_to("/dev/zero")  # an endless file
        expected = "a character device"
    else:
        path.mkdir()
        expected = "a directory"
    assert f"{path}: cannot be read: it is {expected}, not a regular file" in refusal(path)


# --- what a refusal quotes ----------------------------------------------------------------


def test_a_huge_value_or_key_is_quoted_short(tmp_path):
    huge = "x" * 200_000
    quoted = stack(tmp_path, PROD.replace("auth: {limit: 10,", f"auth: {{limit: {huge},"), "a.yaml")
    echoed = stack(
        tmp_path, PROD.replace("objectos:domain: app.example.com", f"objectos:domain: https://{huge}"), "b.yaml"
    )
    twice = stack(tmp_path, f"config:\n  ? {huge}\n  : 1\n  ? {huge}\n  : 2\n", "c.yaml")  # explicit: keys past 1,024
    for path in (quoted, echoed, twice):
        message = refusal(path)
        assert len(message) < 2_000
        assert "more characters)" in message


def test_every_line_of_a_message_is_clipped():
    assert files.clip_lines("short\n" + "y" * 5000) == "short\n" + "y" * 1000 + "... (4000 more characters)"
