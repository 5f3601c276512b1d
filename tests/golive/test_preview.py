"""The offline preview: the recorded graph, the JSON plan, redaction, manifest checks and exit codes."""

from __future__ import annotations

import contextvars
import io
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings

from golive import cli
from golive import preview as preview_mod
from golive.manifests import validate_one
from golive.program import ProgramError, run_callable, run_program
from settings.engine import engine_settings
from settings.errors import SettingsError
from settings.load import SECRET_PLACEHOLDER, from_engine, validate
from tests.conftest import ROOT, stack_config

REGION = {"aws:region": "eu-west-1"}
PLANTED = {
    "OS_CLOUD_API_KEY": "planted-cloud-key-6f1c2b",
    "OS_DATABASE_URL": "postgres://app:planted-db-pass-93ad@db/objectos",
}
PLAN_KEYS = {"urn", "type", "name", "parent", "dependencies", "protect", "retainOnDelete", "inputs"}

GRAPH_PROGRAM = """
import pulumi
from pulumi_kubernetes.core.v1 import ConfigMap
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Box", name, None, opts)
        self.kept = ConfigMap(f"{name}-kept", metadata=ObjectMetaArgs(name="kept"), data={"a": "1"},
                              opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True))
        self.reader = ConfigMap(f"{name}-reader", metadata=ObjectMetaArgs(name="reader"),
                                data={"from": self.kept.metadata.name}, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

box = Box("box")
ConfigMap("after", metadata=ObjectMetaArgs(name="after"), data={}, opts=pulumi.ResourceOptions(depends_on=[box.kept]))
"""

SECRET_PROGRAM = """
import pulumi
from pulumi_kubernetes.core.v1 import ConfigMap, Secret
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

values = pulumi.Config("objectos").require_secret_object("secretValues")
key = values.apply(lambda v: v["OS_CLOUD_API_KEY"])
Secret("held", metadata=ObjectMetaArgs(name="held"), string_data={"key": key})
unmarked = pulumi.Output.unsecret(key)
ConfigMap("baked", metadata=ObjectMetaArgs(name="baked"), data={"url": unmarked.apply(lambda k: f"https://x/?k={k}")})
unmarked.apply(lambda k: pulumi.log.warn(f"the cloud key is {k}"))
pulumi.export("cloudKey", key)
"""

BAD_MANIFEST_PROGRAM = """
from pulumi_kubernetes.core.v1 import ConfigMap
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

ConfigMap("bad", metadata={"name": "bad", "labelz": {"a": "b"}}, data={})
"""

DUPLICATE_PROGRAM = """
from pulumi_kubernetes.core.v1 import ConfigMap
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

ConfigMap("twice", metadata=ObjectMetaArgs(name="one"), data={})
ConfigMap("twice", metadata=ObjectMetaArgs(name="two"), data={})
"""


def program(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "__main__.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def planted_prod():
    """The prod stack as the engine would hand it over, with known secret values."""
    engine_config, secret_keys = stack_config("prod").engine_config()
    engine_config["objectos:secretValues"] = json.dumps(PLANTED)
    config = from_engine("prod", engine_config, set(secret_keys) | {"objectos:secretValues"})
    return config, validate(config)


def summary(preview) -> str:
    out = io.StringIO()
    preview_mod.print_summary(preview, out)
    return out.getvalue()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "golive", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


# --- the recorded graph ------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    result = run_program("test", REGION, [], program(tmp_path_factory.mktemp("graph"), GRAPH_PROGRAM))
    return {r.name: r for r in result.resources}


def test_a_component_child_records_its_parent(graph):
    assert graph["box-kept"].parent == graph["box"].urn
    assert graph["box"].parent == graph["objectos-test"].urn


def test_an_output_read_records_a_property_dependency(graph):
    assert graph["box-kept"].urn in graph["box-reader"].property_dependencies["data"]
    assert graph["box-kept"].urn in graph["box-reader"].dependencies


def test_depends_on_records_a_dependency(graph):
    assert graph["box-kept"].urn in graph["after"].dependencies


def test_protect_and_retain_on_delete_are_recorded(graph):
    assert (graph["box-kept"].protect, graph["box-kept"].retain_on_delete) == (True, True)
    assert (graph["box-reader"].protect, graph["box-reader"].retain_on_delete) == (False, False)


# --- the JSON plan and exit 0 -------------------------------------------------------


@pytest.fixture(scope="module")
def prod_cli(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "plan-prod.json"
    done = run_cli("preview", "--stack", "prod", "--json", str(path))
    return done, json.loads(path.read_text(encoding="utf-8"))


def test_the_prod_preview_exits_0_and_says_ready(prod_cli):
    done, _ = prod_cli
    assert done.returncode == 0, done.stderr
    assert "Verdict: READY" in done.stdout
    assert "Traceback" not in done.stderr


def test_the_json_plan_has_the_documented_shape(prod_cli):
    _, plan = prod_cli
    assert plan["stack"] == "prod"
    assert (plan["schemaVersion"], plan["verdict"], plan["exitCode"]) == (1, "READY", 0)
    assert isinstance(plan["findings"], list)
    for entry in plan["resources"]:
        assert PLAN_KEYS <= set(entry), entry["urn"]
        assert isinstance(entry["dependencies"], list) and isinstance(entry["inputs"], dict)
        assert isinstance(entry["protect"], bool) and isinstance(entry["retainOnDelete"], bool)


def test_the_json_plan_is_a_closed_graph(prod_cli):
    _, plan = prod_cli
    urns = {entry["urn"] for entry in plan["resources"]}
    roots = [entry for entry in plan["resources"] if entry["parent"] is None]
    assert [r["type"] for r in roots] == ["pulumi:pulumi:Stack"]
    for entry in plan["resources"]:
        assert entry["parent"] is None or entry["parent"] in urns
        assert set(entry["dependencies"]) <= urns


def test_the_json_plan_keeps_the_workload_dependencies(prod_cli):
    _, plan = prod_cli
    by_name = {(e["type"], e["name"]): e for e in plan["resources"]}
    job = by_name[("kubernetes:batch/v1:Job", "objectos-migrate")]
    deployment = by_name[("kubernetes:apps/v1:Deployment", "objectos-deployment")]
    assert job["urn"] in deployment["dependencies"]


# --- redaction ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    config, settings = planted_prod()
    return preview_mod.run_preview(config, settings, program(tmp_path_factory.mktemp("secret"), SECRET_PROGRAM))


def test_secret_values_are_written_as_secret_in_the_json_plan(planted):
    text = json.dumps(planted.to_json())
    assert "[secret]" in text
    assert not [value for value in PLANTED.values() if value in text]


def test_no_secret_value_is_printed_in_the_summary(planted):
    text = summary(planted)
    assert not [value for value in PLANTED.values() if value in text]
    assert "the cloud key is [secret]" in text


def test_a_secret_baked_into_a_plain_value_fails_the_checklist(planted):
    (leak,) = [c for c in planted.checks if c.id == "no-baked-secrets" and c.resource.endswith("::baked")]
    assert (leak.status, leak.mandatory) == ("fail", True)
    assert "data.url" in leak.reason
    assert planted.exit_code == preview_mod.EXIT_NOT_READY


def test_the_prod_stack_secure_values_never_reach_the_plan_or_summary(previews):
    preview = previews("prod")
    assert stack_config("prod").secret_keys(), "the prod stack should hold secure: values"
    text = json.dumps(preview.to_json()) + summary(preview)
    assert SECRET_PLACEHOLDER not in text


# --- manifests and duplicates -----------------------------------------------------------


def test_an_unknown_manifest_field_is_caught_by_strict_validation(tmp_path):
    config = stack_config("prod")
    preview = preview_mod.run_preview(config, validate(config), program(tmp_path, BAD_MANIFEST_PROGRAM))
    (problem,) = preview.manifest_failures
    assert (problem.kind, problem.name) == ("ConfigMap", "bad")
    assert "labelz" in problem.message
    assert preview.exit_code == preview_mod.EXIT_NOT_READY


def test_a_known_manifest_passes_strict_validation():
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok", "labels": {"a": "b"}}, "data": {}}
    assert validate_one(body, "1.31") is None


def test_a_patch_is_validated_as_a_partial_object():
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}, "spec": {"replicas": 2}}
    assert "'selector' is a required property" in validate_one(patch, "1.31")
    assert validate_one(patch, "1.31", partial=True) is None
    misspelt = {**patch, "spec": {"replica": 2}}
    assert validate_one(misspelt, "1.31", partial=True) is not None  # strict: unknown fields still fail


def test_a_duplicate_resource_name_blocks_the_preview(tmp_path):
    config = stack_config("prod")
    preview = preview_mod.run_preview(config, validate(config), program(tmp_path, DUPLICATE_PROGRAM))
    assert [urn.rsplit("::", 1)[1] for urn in preview.result.duplicate_urns] == ["twice"]
    assert preview.exit_code == preview_mod.EXIT_NOT_READY
    assert "DUPLICATE resource name" in summary(preview)


# --- exit codes of the command line ---------------------------------------------------------


def test_the_command_exits_1_when_not_ready(tmp_path, monkeypatch, capsys):
    bad = program(tmp_path, BAD_MANIFEST_PROGRAM)
    monkeypatch.setattr(
        preview_mod, "run_program", lambda stack, config, keys, _program: run_program(stack, config, keys, bad)
    )
    assert cli.main(["preview", "--stack", "prod"]) == 1
    assert "Verdict: NOT READY" in capsys.readouterr().out


def test_a_broken_stack_file_exits_2_with_the_problems_and_no_traceback(tmp_path):
    broken = tmp_path / "Pulumi.prod.yaml"
    text = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("- https://admin.example.com", "- https://admin.example.com/"), encoding="utf-8")
    done = run_cli("preview", "--stack", "prod", "--stack-file", str(broken))
    assert done.returncode == 2
    assert "objectos:cors.origins[1]: 'https://admin.example.com/' is not an origin" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_stack_file_exits_2(capsys):
    assert cli.main(["preview", "--stack", "no-such-stack"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_usage_error_exits_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["preview"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--stack" in err and "Traceback" not in err


@pytest.fixture
def prod_preview_cli(monkeypatch, previews):
    """`cli.main` with the session's prod preview in place of a fresh run."""
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("prod"))
    return lambda *args: cli.main(["preview", "--stack", "prod", *args])


def test_an_unwritable_graph_path_exits_2_with_the_reason(prod_preview_cli, tmp_path, capsys):
    assert prod_preview_cli("--graph", str(tmp_path)) == 2  # a folder, not a file
    assert "--graph" in capsys.readouterr().err


def test_component_detail_into_a_dot_file_is_refused_and_nothing_is_written(prod_preview_cli, tmp_path, capsys):
    target = tmp_path / "stack.dot"
    assert prod_preview_cli("--graph", str(target), "--graph-detail", "components") == 2
    assert not target.exists() and "Mermaid" in capsys.readouterr().err


def test_component_detail_is_written_as_mermaid(prod_preview_cli, tmp_path):
    target = tmp_path / "stack.mmd"
    assert prod_preview_cli("--graph", str(target), "--graph-detail", "components") == 0
    assert target.read_text().startswith("flowchart")


def test_the_reference_generator_answers_help_without_printing_the_table(capsys):
    from golive import reference

    with pytest.raises(SystemExit) as caught:
        reference.main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "--write-readme" in out and reference.START not in out


def test_a_failed_run_leaves_no_log_collector_behind():
    logger = logging.getLogger("testing.runner.broken")

    def broken():
        raise pulumi.RunError("the program stopped")

    with pytest.raises(ProgramError):
        run_callable("broken", REGION, [], broken)
    assert logger.handlers == []


# --- the engine path ----------------------------------------------------------------------


def test_a_settings_error_under_the_engine_is_a_run_error_with_the_same_text():
    engine_config, secret_keys = stack_config("prod").engine_config()
    engine_config["objectos:kubernetes"] = json.dumps({"replicas": 1, "version": "1.31"})
    with pytest.raises(SettingsError) as expected:
        validate(from_engine("prod", engine_config, set(secret_keys)))

    def under_engine():
        runtime_settings._set_stack("prod")
        runtime_config.set_all_config(engine_config, secret_keys)
        engine_settings()

    with pytest.raises(pulumi.RunError) as caught:
        contextvars.copy_context().run(under_engine)  # leaves no config behind
    assert str(caught.value) == str(expected.value)
    assert "objectos:kubernetes.replicas: prod on the licensed edition needs at least 2 replicas" in str(caught.value)
