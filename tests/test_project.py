"""The Pulumi project, its stacks and its pinned requirements."""

from __future__ import annotations

import re

import pytest
import yaml

from settings.load import validate
from settings.model import Settings
from tests.conftest import ROOT, stack_config

PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
PROJECT_TEXT = (ROOT / "Pulumi.yaml").read_text(encoding="utf-8")
# Pulumi's project schema types config values with these only.
PROJECT_CONFIG_TYPES = {"string", "integer", "boolean", "array"}
NOT_CONFIG_KEYS = {"stack", "region"}  # the stack name and aws:region


def test_the_project_is_named_objectos():
    assert PROJECT["name"] == "objectos"


def test_the_runtime_is_python_with_pip_and_a_dot_venv():
    runtime = PROJECT["runtime"]
    assert runtime["name"] == "python"
    assert runtime["options"] == {"toolchain": "pip", "virtualenv": ".venv"}


def test_stack_files_live_in_stacks():
    assert PROJECT["stackConfigDir"] == "stacks"
    assert (ROOT / PROJECT["stackConfigDir"] / "Pulumi.prod.yaml").is_file()


def test_declared_config_keys_have_a_pulumi_type_and_a_description():
    for key, declaration in PROJECT["config"].items():
        assert declaration["type"] in PROJECT_CONFIG_TYPES, key
        assert declaration["description"].strip(), key


@pytest.mark.parametrize(
    "alias",
    sorted(f.alias for name, f in Settings.model_fields.items() if name not in NOT_CONFIG_KEYS),
)
def test_every_settings_key_is_declared_or_listed_in_the_project(alias):
    listed = re.findall(r"^\s*#\s*objectos:(\w+)", PROJECT_TEXT, flags=re.MULTILINE)
    assert alias in PROJECT["config"] or alias in listed


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_committed_stack_validates_for_its_environment(stack):
    assert validate(stack_config(stack)).environment == stack


def test_every_stack_file_sets_every_top_level_key():
    keys = {f"objectos:{f.alias}" for name, f in Settings.model_fields.items() if name not in NOT_CONFIG_KEYS}
    for stack in ("dev", "staging", "prod"):
        missing = keys - set(stack_config(stack).values)
        assert not missing, f"{stack} lacks {sorted(missing)}"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_pin_every_package(name):
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        assert re.fullmatch(r"[A-Za-z0-9._-]+(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+", line), line
