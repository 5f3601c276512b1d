"""`golive preview --program DIR`: a user's own Pulumi Python program, its project and stack files,
its errors as exit 2 with the file named, and one program never leaking into the next."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from golive import cli
from golive.preview import preview_program
from golive.program import ProgramError
from golive.project import ProjectError, load_program
from settings.load import SECRET_PLACEHOLDER
from testing.mocks import Secret
from tests.conftest import ROOT

PYTHON_PROJECT = "name: shop\nruntime: python\n"


def project(tmp_path: Path, main: str, project_file: str = PYTHON_PROJECT, **others: str) -> Path:
    """A project folder: Pulumi.yaml, __main__.py and any other files (name -> text)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(project_file, encoding="utf-8")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(main), encoding="utf-8")
    for name, text in others.items():
        (tmp_path / name.replace("__", ".")).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def named(preview, name: str):
    return next(r for r in preview.result.resources if r.name == name)


CONFIG_MAP = """
import pulumi
import pulumi_kubernetes as k8s

import helper

config = pulumi.Config()
k8s.core.v1.ConfigMap("settings", metadata={"name": "settings"}, data={"from": helper.WHERE, "level": config.get("level") or ""})
"""


# --- the project and its config ----------------------------------------------------------------


def test_config_comes_from_the_project_defaults_and_the_stack_file_with_bare_keys_namespaced(tmp_path):
    folder = project(
        tmp_path,
        """
        import pulumi
        import pulumi_kubernetes as k8s

        config = pulumi.Config()
        data = {"level": config.require("level"), "region": pulumi.Config("aws").require("region")}
        k8s.core.v1.ConfigMap("settings", metadata={"name": "settings"}, data=data)
        pulumi.export("token", config.require_secret("token"))
        """,
        PYTHON_PROJECT + "config:\n  level:\n    type: string\n    default: info\n  region:\n    type: string\n",
        Pulumi__dev__yaml="config:\n  aws:region: eu-west-1\n  shop:token:\n    secure: v1:bm90LWEtY2lwaGVy\n",
    )
    preview = preview_program(folder, "dev")
    assert named(preview, "settings").inputs["data"] == {"level": "info", "region": "eu-west-1"}
    # A secure value is a placeholder the program receives as a Pulumi secret, never the ciphertext.
    assert preview.result.outputs["token"] == Secret(SECRET_PLACEHOLDER)
    assert preview.to_json()["outputs"]["token"] == "[secret]"


def test_the_environment_is_the_stack_name_or_objectos_environment_and_otherwise_prod(tmp_path):
    folder = project(tmp_path, "import pulumi\n", Pulumi__dev__yaml="config: {}\n")
    assert load_program(folder, "dev").environment == "dev"
    (folder / "Pulumi.qa.yaml").write_text("config:\n  objectos:environment: staging\n", encoding="utf-8")
    assert load_program(folder, "qa").environment == "staging"
    (folder / "Pulumi.sandbox.yaml").write_text("config: {}\n", encoding="utf-8")
    assert load_program(folder, "sandbox").environment == "prod"  # a stack the kit cannot place: strictest


def test_a_stack_is_chosen_with_stack_when_the_project_has_several(tmp_path):
    folder = project(tmp_path, "import pulumi\n", Pulumi__dev__yaml="config: {}\n", Pulumi__prod__yaml="config: {}\n")
    with pytest.raises(ProjectError, match="holds the stacks dev, prod; choose one with --stack"):
        load_program(folder)
    with pytest.raises(ProjectError, match="no Pulumi.prdo.yaml; its stacks are dev, prod"):
        load_program(folder, "prdo")


def test_main_may_name_a_subfolder_whose_siblings_import(tmp_path):
    folder = project(tmp_path, "", PYTHON_PROJECT + "main: src/\n")
    (folder / "__main__.py").unlink()
    (folder / "src").mkdir()
    (folder / "src" / "__main__.py").write_text(CONFIG_MAP, encoding="utf-8")
    (folder / "src" / "helper.py").write_text('WHERE = "src"\n', encoding="utf-8")
    assert named(preview_program(folder), "settings").inputs["data"]["from"] == "src"


# --- one program never leaks into the next -------------------------------------------------------


def test_each_program_imports_its_own_sibling_modules(tmp_path):
    first = project(tmp_path / "first", CONFIG_MAP, helper__py='WHERE = "first"\n')
    second = project(tmp_path / "second", CONFIG_MAP, helper__py='WHERE = "second"\n')
    assert named(preview_program(first), "settings").inputs["data"]["from"] == "first"
    assert named(preview_program(second), "settings").inputs["data"]["from"] == "second"
    assert "helper" not in sys.modules


def test_a_sibling_named_like_a_kit_module_is_the_programs_and_the_kit_keeps_its_own(tmp_path):
    import settings as kit_settings

    main = CONFIG_MAP.replace("import helper", "import settings as helper")
    folder = project(tmp_path, main, settings__py='WHERE = "the program\'s settings.py"\n')
    assert named(preview_program(folder), "settings").inputs["data"]["from"] == "the program's settings.py"
    assert sys.modules["settings"] is kit_settings


def test_the_kit_components_import_as_the_installed_package_names_them(tmp_path):
    folder = project(
        tmp_path,
        """
        from objectos_components import CorsPolicy, EdgeMode, HeaderPolicy, HeaderPolicyArgs, HeaderSet

        HeaderPolicy("edge", HeaderPolicyArgs(header_set=HeaderSet(cors=CorsPolicy(origins=["https://a.example.com"])),
                     mode=EdgeMode.CLOUDFRONT, tls_ready="arn:aws:acm:us-east-1:123456789012:certificate/x"))
        """,
    )
    types = {r.type for r in preview_program(folder).result.resources}
    assert "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy" in types
    assert "objectos_components" not in sys.modules


# --- errors: the file named, exit 2, no traceback ---------------------------------------------


@pytest.mark.parametrize(
    "project_file, main, message",
    [
        ("name: shop\nruntime: nodejs\n", "", "Pulumi.yaml: runtime is 'nodejs'; the offline preview runs Python"),
        ("name: shop\n", "", "Pulumi.yaml: runtime: is required"),
        ("runtime: python\n", "", "Pulumi.yaml: name: is required"),
        ("name: shop\nruntime: python\nname: again\n", "", "Pulumi.yaml:3:1: has the key 'name' twice"),
        ("name: shop\nruntime: python\nmain: app.py\n", "", "main: app.py does not exist"),
    ],
)
def test_a_project_file_the_preview_cannot_run_is_named(tmp_path, project_file, main, message):
    folder = project(tmp_path, main, project_file)
    with pytest.raises(ProjectError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_program(folder)


@pytest.mark.parametrize(
    "main, message",
    [
        ('import pulumi\nraise ValueError("no region given")\n', "__main__.py:2: ValueError: no region given"),
        ("import pulumi\nimport no_such_module\n", "__main__.py:2: ModuleNotFoundError: No module named"),
        ("x = (\n", "__main__.py:1: SyntaxError"),
        ("import sys\nsys.exit(3)\n", "the program called exit(3)"),
        ("import pulumi\npulumi.Config().require('albArn')\n", "Missing required configuration variable 'shop:albArn'"),
    ],
)
def test_an_error_in_the_program_names_its_file_and_line(tmp_path, main, message):
    folder = project(tmp_path, main)
    with pytest.raises(ProgramError, match=message.replace("(", r"\(").replace(")", r"\)")):
        preview_program(folder)


def test_the_command_exits_2_with_the_file_named_and_no_traceback(tmp_path):
    folder = project(tmp_path, "import helper\n", helper__py='raise RuntimeError("broken helper")\n')
    done = subprocess.run(
        [sys.executable, "-m", "golive", "preview", "--program", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert f"{folder / 'helper.py'}:1: RuntimeError: broken helper" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_folder_and_options_that_do_not_go_together_exit_2(tmp_path, capsys):
    assert cli.main(["preview", "--program", str(tmp_path / "nowhere")]) == 2
    assert "does not exist; pass the folder holding your Pulumi.yaml" in capsys.readouterr().err
    for argv in (
        ["preview", "--program", str(tmp_path), "--stack-file", "x.yaml"],
        ["preview", "--stack", "prod", "--policy-pack-config", "x.json"],
    ):
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2
    assert "--policy-pack-config goes with --program" in capsys.readouterr().err


def test_a_pack_config_file_that_is_not_json_is_named(tmp_path):
    folder = project(tmp_path, "import pulumi\n")
    bad = tmp_path / "pack.json"
    bad.write_text("{'all': 'advisory'}", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"pack.json:1:2: not JSON"):
        load_program(folder, None, bad)


def test_a_pack_config_naming_an_unknown_policy_exits_2_naming_the_policy_and_the_file(tmp_path, capsys):
    folder = project(tmp_path / "shop", "import pulumi\n")
    typo = tmp_path / "pack.json"
    typo.write_text('{"all": "mandatory", "tls-at-egde": {"objectosStack": "no"}}', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"pack.json: names the policy 'tls-at-egde'.*did you mean 'tls-at-edge'"):
        load_program(folder, None, typo)
    live = tmp_path / "live.json"
    live.write_text('{"cross-org-access-denied": "advisory"}', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"'cross-org-access-denied'.*verified live by golive verify"):
        load_program(folder, None, live)
    assert cli.main(["preview", "--program", str(folder), "--policy-pack-config", str(typo)]) == 2
    captured = capsys.readouterr()
    assert f"{typo}: names the policy 'tls-at-egde'" in captured.err and "Verdict" not in captured.out


def test_a_pack_config_setting_the_pack_refuses_exits_2_rather_than_failing_every_row(tmp_path, capsys):
    folder = project(tmp_path / "shop", "import pulumi\n")
    bad = tmp_path / "pack.json"
    bad.write_text('{"tls-at-edge": {"objectosStack": "maybe"}}', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"pack.json: tls-at-edge.objectosStack must be one of .*got 'maybe'"):
        preview_program(folder, None, bad)
    bad.write_text('{"tls-at-edge": 3}', encoding="utf-8")
    assert cli.main(["preview", "--program", str(folder), "--policy-pack-config", str(bad)]) == 2
    assert "tls-at-edge 3; give a level (advisory, mandatory, disabled) or an object" in capsys.readouterr().err
