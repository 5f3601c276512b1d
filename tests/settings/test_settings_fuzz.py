"""Any stack document either validates or yields a SettingsError: never another exception."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settings.errors import SettingsError
from settings.load import from_document, from_engine, read_stack_file, validate
from tests.conftest import STACKS

PROD_DOCUMENT = yaml.safe_load((STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
KNOWN_KEYS = sorted(PROD_DOCUMENT["config"]) + ["objectos:waf", "objectos:tags", "objectos:secretValues"]

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["prod", "1.31", "*", "https://app.example.com", "cron(0 5 ? * SAT *)", "", "v1:abc"]),
    st.dates(),
    st.just({"secure": "v1:abc"}),
)
keys = st.one_of(st.text(max_size=20), st.sampled_from(KNOWN_KEYS), st.integers(), st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)
documents = st.one_of(
    values,
    st.fixed_dictionaries({"config": values}),
    st.fixed_dictionaries({"config": st.dictionaries(keys, values, max_size=8)}),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


PROD_PATHS = [path for path in _paths(PROD_DOCUMENT["config"]) if path]


@st.composite
def prod_mutations(draw) -> dict:
    """The prod stack with a few keys dropped or replaced by random values."""
    config = copy.deepcopy(PROD_DOCUMENT["config"])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(PROD_PATHS))
        parent: Any = config
        try:
            for part in path[:-1]:
                parent = parent[part]
            if draw(st.booleans()):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return {"config": config}


def check(document: Any, stack: str = "prod") -> None:
    try:
        config = from_document(document, stack)
        validate(config)
    except SettingsError:
        return
    config.engine_config()  # a valid stack must also reach the program


@FUZZ
@given(documents)
def test_any_document_validates_or_is_a_settings_error(document):
    check(document)


@FUZZ
@given(prod_mutations(), st.sampled_from(["dev", "staging", "prod"]))
def test_any_mutation_of_prod_validates_or_is_a_settings_error(document, stack):
    check(document, stack)


@FUZZ
@given(st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=20), st.text(max_size=60), max_size=10),
       st.sets(st.sampled_from(KNOWN_KEYS), max_size=3))  # fmt: skip
def test_any_engine_config_validates_or_is_a_settings_error(config, secret_keys):
    try:
        validate(from_engine("prod", config, secret_keys))
    except SettingsError:
        pass


TEXT_PIECES = st.sampled_from(
    ["config:\n", "  objectos:domain: ", "a: 2020-13-45\n", "!!int abc", "!!bool maybe", "!!timestamp x", "[", "{",
     "- ", ": ", "&a ", "*a ", "? ", "\t", "'", '"', "\n", "secure: v1:x\n", "!!python/object:os.system ''", "%YAML 1.1\n",
     "---\n", "...\n", "\x00", "\ufeff"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200), st.lists(TEXT_PIECES, max_size=12).map("".join)))
def test_any_file_content_validates_or_is_a_settings_error(tmp_path_factory, content):
    path: Path = tmp_path_factory.mktemp("stack") / "Pulumi.prod.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(content)
    try:
        validate(read_stack_file(path))
    except SettingsError:
        pass


def test_yaml_constructor_failures_are_settings_errors(tmp_path):
    for text in ("config:\n  a: 2020-13-45\n", "config: !!int abc\n", "config: !!bool maybe\n", "[" * 1000):
        path = tmp_path / "Pulumi.prod.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            read_stack_file(path)
        except SettingsError as exc:
            assert exc.issues[0].key == "stack file"
        else:
            raise AssertionError(f"{text[:20]!r} was accepted")


def test_a_directory_in_place_of_the_stack_file_is_a_settings_error(tmp_path):
    try:
        read_stack_file(tmp_path)
    except SettingsError as exc:
        assert "cannot be read" in str(exc)
    else:
        raise AssertionError("a directory was read as a stack file")


def test_a_date_in_another_namespace_reaches_the_program_as_text():
    document = copy.deepcopy(PROD_DOCUMENT)
    document["config"]["kubernetes:since"] = datetime.date(2026, 11, 29)
    config, _ = from_document(document, "prod").engine_config()
    assert config["kubernetes:since"] == "2026-11-29"
