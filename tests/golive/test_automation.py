"""`python -m golive.automation`: the stack list, the arguments, one result per stack, and no Pulumi CLI.

The Pulumi CLI is not installed where these tests run: the missing CLI is tested for real, and
the engine's answers (a preview, a failed update, an unknown stack) come from a stand-in for
`pulumi.automation`'s stack, so what is tested is how the entry point drives and reports them.
"""

from __future__ import annotations

from types import SimpleNamespace

import pulumi.automation as auto
import pytest
from pulumi.automation._cmd import CommandResult

from golive import automation
from policy.enforcement import PACK_DIR
from tests.conftest import ROOT


def test_the_stacks_are_the_stack_files_in_stacks():
    expected = sorted(p.name.removeprefix("Pulumi.").rsplit(".", 1)[0] for p in (ROOT / "stacks").glob("Pulumi.*.y*ml"))
    assert automation.stack_names() == expected
    assert {"dev", "staging", "prod"} <= set(expected)


def test_without_stacks_every_stack_file_runs_in_order():
    assert automation.choose_stacks(None, ["dev", "prod", "staging"]) == ["dev", "prod", "staging"]
    assert automation.choose_stacks(" prod,dev ", ["dev", "prod", "staging"]) == ["prod", "dev"]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("dev,nope", "no stack file for nope in stacks/; its stacks are dev, prod, staging"),
        ("dev,,prod", "an empty name"),
        ("dev,prod,dev", "dev listed twice"),
    ],
)
def test_a_wrong_stack_list_names_the_offending_stack(given, says):
    with pytest.raises(automation.AutomationError, match=says):
        automation.choose_stacks(given, ["dev", "prod", "staging"])


def test_without_the_pulumi_cli_it_stops_before_any_stack_with_exit_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `pulumi` anywhere on it
    monkeypatch.setattr(auto, "select_stack", lambda **_: pytest.fail("a stack was run without the CLI"))
    assert automation.main(["preview", "--stacks", "dev"]) == 2
    err = capsys.readouterr().err
    assert "the Pulumi CLI (`pulumi`) is not on PATH" in err and "python -m golive preview" in err
    assert "Traceback" not in err


def test_up_without_yes_changes_nothing(monkeypatch, capsys):
    monkeypatch.setattr(auto, "PulumiCommand", lambda: pytest.fail("the CLI was started for up without --yes"))
    assert automation.main(["up"]) == 2
    assert "pass --yes" in capsys.readouterr().err


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        automation.main(["destroy"])
    assert stopped.value.code == 2


class _Engine:
    """Stands in for the CLI-driven stacks: prod previews, staging's update fails, dev is not in the backend."""

    def __init__(self):
        self.calls: list[dict] = []

    def select(self, stack_name, work_dir, opts, created=False):
        self.calls.append({"stack": stack_name, "work_dir": work_dir, "created": created, "opts": opts})
        if stack_name == "dev" and not created:
            raise auto.StackNotFoundError(CommandResult("", "error: no stack named 'dev' found", 255))
        return SimpleNamespace(
            preview=lambda **run: self.run(stack_name, run), up=lambda **run: self.run(stack_name, run)
        )

    def run(self, stack, run):
        self.calls[-1]["run"] = run
        run["on_output"](f"Previewing update ({stack})\n")
        if stack == "staging":
            raise auto.CommandError(CommandResult("", "error: update failed\nerror: 1 policy violation", 255))
        changes = {auto.OpType.CREATE: 12, auto.OpType.SAME: 0}
        return SimpleNamespace(change_summary=changes, summary=SimpleNamespace(resource_changes=changes))


@pytest.fixture
def engine(monkeypatch):
    fake = _Engine()
    monkeypatch.setattr(auto, "PulumiCommand", lambda: "the-cli")
    monkeypatch.setattr(auto, "select_stack", fake.select)
    monkeypatch.setattr(auto, "create_or_select_stack", lambda **kw: fake.select(**kw, created=True))
    return fake


def test_one_result_per_stack_and_a_failing_stack_never_stops_the_others(engine, capsys):
    assert automation.main(["preview", "--stacks", "dev,staging,prod"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "[prod] Previewing update (prod)" in out  # streamed, each line under its stack's name
    results = out[-3:]
    assert results[0].split()[:2] == ["dev", "FAILED"] and "pulumi stack init dev` or pass --create" in results[0]
    assert results[1].split()[:2] == ["staging", "FAILED"]
    assert results[1].endswith("pulumi preview failed: error: update failed / error: 1 policy violation")
    assert results[2].split() == ["prod", "ok", "create", "12"]


def test_each_stack_runs_in_the_project_with_the_pack_and_its_environments_config(engine):
    automation.run_stacks("up", ["prod", "staging"], write=lambda _: None)
    prod, staging = engine.calls
    assert prod["work_dir"] == str(ROOT) and prod["opts"].pulumi_command == "the-cli"
    assert prod["run"]["policy_packs"] == [str(PACK_DIR)]
    assert prod["run"]["policy_pack_configs"] == [str(PACK_DIR / "policy-config.prod.json")]
    assert staging["run"]["policy_pack_configs"] == [str(PACK_DIR / "policy-config.staging.json")]


def test_create_makes_a_stack_the_backend_lacks(engine, capsys):
    assert automation.main(["preview", "--stacks", "dev", "--create"]) == 0
    assert engine.calls[0]["created"] is True
    assert capsys.readouterr().out.splitlines()[-1].split() == ["dev", "ok", "create", "12"]
