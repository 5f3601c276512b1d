"""The Pulumi project, its stacks and its pinned requirements."""

from __future__ import annotations

import re

import pytest
import yaml

from settings.load import load_stack, validate
from settings.model import Settings
from tests.conftest import ROOT, stack_config

PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
PROJECT_TEXT = (ROOT / "Pulumi.yaml").read_text(encoding="utf-8")
# Pulumi's project schema types config values with these only.
PROJECT_CONFIG_TYPES = {"string", "integer", "boolean", "array"}
NOT_CONFIG_KEYS = {"stack", "region"}  # the stack name and aws:region


def test_the_preview_names_resources_after_the_project_as_the_cli_does(previews):
    stack = previews("prod").result.resources[0]
    assert stack.urn.startswith(f"urn:pulumi:prod::{PROJECT['name']}::")


def test_the_virtualenv_the_runtime_creates_is_not_committed():
    venv = PROJECT["runtime"]["options"]["virtualenv"]
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"{venv}/" in ignored or venv in ignored


def test_every_command_reads_the_stack_files_from_the_projects_stack_config_dir():
    from golive import preview, release
    from golive.verify import command

    folder = ROOT / PROJECT["stackConfigDir"]
    assert preview.STACKS_DIR == release.STACKS_DIR == command.STACKS_DIR == folder
    assert load_stack("prod", folder)[1].environment == "prod"


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


PIN = r"[A-Za-z0-9._-]+(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt", "constraints.txt"])
def test_requirements_pin_every_package(name):
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-r ", "-c ")):
            continue
        assert re.fullmatch(PIN, line), line


def test_every_installed_package_is_constrained():
    """Transitive dependencies too: a fresh machine installs the versions the suite ran with."""
    import importlib.metadata

    constrained = {
        re.split(r"[=\[]", line)[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    installed = {d.metadata["Name"].lower().replace("_", "-") for d in importlib.metadata.distributions()}
    unpinned = installed - constrained - {"pip", "setuptools", "wheel", "objectos-components"}
    assert not unpinned, f"add to constraints.txt (make constraints): {sorted(unpinned)}"
