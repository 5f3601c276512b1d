"""The stack file's own keys: its secrets provider must be able to decrypt its `secure:` values,
the kit's placeholders are explained as placeholders, and `environment:` (Pulumi ESC) is reported
as unseen, the same in `--stack` and `--program` mode."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from golive import stack_file_checks as checks
from golive import waivers
from golive.preview import preview_program
from golive.project import load_program
from golive.results import Enforcement, Status, Tool
from settings.errors import SettingsError
from settings.load import from_document, read_stack_file, validate
from tests.conftest import ROOT

SECRETS, ESC = checks.SECRETS_RULE, checks.ESC_RULE
MANDATORY = Enforcement.MANDATORY
DB = "objectos:secretValues.OS_DATABASE_URL"
CIPHER = "v1:bm90LWEtY2lwaGVy:bm90LWEtY2lwaGVydGV4dA=="  # shaped as Pulumi writes; nothing decrypts it here
SALT = "v1:BNJOCpOPGV4=:v1:9jpeMm7HcnK+6+Wt:gcfklR9vOw=="  # the stack settings file reference's example


def stack(header: str = "", secure: str = CIPHER, path: Path | None = None):
    text = f"{textwrap.dedent(header)}config:\n  objectos:secretValues:\n    OS_DATABASE_URL:\n      secure: {secure}\n"
    if path is not None:
        path.write_text(text, encoding="utf-8")
        return read_stack_file(path, "prod")
    return from_document(load_yaml_text(text), "prod")


def load_yaml_text(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def statuses(config, prod: bool = True) -> list[tuple[str, Status]]:
    return [(f.rule, f.status) for f in checks.findings(config, prod)]


# --- the secrets provider -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "secretsprovider: default\n",
        f"secretsprovider: passphrase\nencryptionsalt: {SALT}\n",
        f"encryptionsalt: {SALT}\n",  # a salt alone is the passphrase provider
        "secretsprovider: awskms://alias/pulumi-prod?region=eu-west-1\nencryptedkey: AQICAHhTb2tlbi1rZXk=\n",
    ],
)
def test_secure_values_under_a_complete_provider_pass(header):
    (finding,) = checks.findings(stack(header), prod=True)
    assert finding.status is Status.PASS and finding.name == DB


@pytest.mark.parametrize(
    "header, key, phrase",
    [
        ("secretsprovider: awskms://alias/pulumi-prod?region=eu-west-1\n", "encryptedkey", "has no encryptedkey"),
        ("secretsprovider: passphrase\n", "encryptionsalt", "needs the stack's encryptionsalt"),
        ("encryptedkey: AQICAHhTb2tlbi1rZXk=\n", "encryptedkey", "without a secretsprovider"),
        ("secretsprovider: vault://x\n", "secretsprovider", "not a Pulumi secrets provider"),
        (
            f"secretsprovider: awskms://k\nencryptedkey: AQ==\nencryptionsalt: {SALT}\n",
            "encryptionsalt",
            "one provider",
        ),
        ("secretsprovider: default\nencryptedkey: AQ==\n", "encryptedkey", "one provider"),
        ("encryptionsalt: not-a-salt\n", "encryptionsalt", "not as Pulumi writes it"),
    ],
)
def test_provider_keys_that_cannot_decrypt_the_values_fail_naming_the_key(header, key, phrase):
    (finding,) = checks.findings(stack(header), prod=False)  # a stack that cannot decrypt fails in any environment
    assert finding.status is Status.FAIL and finding.rule == SECRETS and finding.name == key
    assert phrase in finding.reason and finding.reason.startswith(key)


def test_a_cloud_provider_without_its_key_is_fine_until_there_is_a_value_to_decrypt():
    config = from_document({"secretsprovider": "awskms://alias/k?region=eu-west-1", "config": {}}, "prod")
    assert checks.findings(config, prod=True) == []


def test_values_under_no_provider_keys_are_not_judged_and_the_fix_is_named():
    (finding,) = checks.findings(stack(), prod=True)
    assert finding.status is Status.NOT_JUDGED and finding.name == DB
    assert "secretsprovider: default" in finding.reason and "--secrets-provider" in finding.reason


@pytest.mark.parametrize("header", ["secretsprovider: [awskms]\n", "encryptionsalt: 7\n", "encryptedkey: {a: 1}\n"])
def test_an_odd_provider_value_is_a_finding_on_that_key_not_a_crash(header):
    (finding,) = checks.findings(stack(header), prod=True)
    assert finding.status is Status.FAIL and finding.name == header.split(":")[0]


@pytest.mark.parametrize("secure", ['""', "5", "{nested: x}"])
def test_a_secure_value_holding_no_ciphertext_fails_naming_its_key(secure):
    found = checks.findings(stack("secretsprovider: default\n", secure), prod=True)
    assert (found[0].status, found[0].name) == (Status.FAIL, DB)


def test_a_placeholder_is_explained_per_key_and_never_counted_as_ciphertext():
    (finding,) = checks.findings(stack("", "placeholder-set-your-own"), prod=True)
    assert finding.status is Status.NOT_JUDGED and finding.name == DB
    assert "a placeholder, not ciphertext" in finding.reason
    assert f"pulumi config set --secret --path '{DB}' < <file>" in finding.reason


@pytest.mark.parametrize("name", ["prod", "staging"])
def test_the_shipped_stacks_hold_placeholders_only_and_each_is_reported(name):
    path = ROOT / "stacks" / f"Pulumi.{name}.yaml"
    config = read_stack_file(path, name)
    found = checks.findings(config, prod=name == "prod")
    assert found and all(f.status is Status.NOT_JUDGED and "a placeholder" in f.reason for f in found)
    assert sorted(f.name for f in found) == [
        f"objectos:secretValues.{k}" for k in sorted(config.values["objectos:secretValues"])
    ]
    assert all(f.where and f.where.startswith(f"{path}:") for f in found)


def test_a_finding_points_at_the_line_of_its_key(tmp_path):
    path = tmp_path / "Pulumi.prod.yaml"
    (finding,) = checks.findings(stack("secretsprovider: passphrase\n", path=path), prod=True)
    assert finding.where == f"{path}:1"  # the secretsprovider line
    (placeholder,) = checks.findings(stack("", "placeholder", path=path), prod=True)
    assert placeholder.where == f"{path}:3"  # the OS_DATABASE_URL line


def test_a_stack_with_no_secure_value_and_no_esc_import_gets_no_finding():
    assert checks.findings(from_document({"config": {"aws:region": "eu-west-1"}}, "dev"), prod=False) == []


# --- ESC environments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environment, names",
    [
        (["objectos/common", "objectos/prod"], "objectos/common, objectos/prod"),
        ("objectos/prod", "objectos/prod"),
        (
            {"imports": ["objectos/common"], "values": {"pulumiConfig": {"aws:region": "eu-west-1"}}},
            "objectos/common, an inline definition",
        ),
    ],
)
def test_esc_imports_are_named_and_fail_prod_but_are_not_judged_elsewhere(environment, names):
    config = from_document({"environment": environment, "config": {}}, "prod")
    (prod,) = checks.findings(config, prod=True)
    (dev,) = checks.findings(config, prod=False)
    assert prod.rule == dev.rule == ESC and prod.name == "environment"
    assert (prod.status, dev.status) == (Status.FAIL, Status.NOT_JUDGED)
    assert names in prod.reason and "cannot open ESC" in prod.reason and "waiver" in prod.reason


@pytest.mark.parametrize("environment", [5, [3, "x"], {"values": None}])
def test_an_odd_environment_value_is_a_finding_not_a_crash(environment):
    (finding,) = checks.findings(from_document({"environment": environment, "config": {}}, "dev"), prod=False)
    assert finding.status is Status.FAIL and finding.rule == ESC


def test_a_settings_error_says_which_esc_environments_the_checks_did_not_see():
    config = from_document({"environment": ["objectos/prod"], "config": {"objectos:environment": "prod"}}, "prod")
    with pytest.raises(SettingsError) as raised:
        validate(config)
    assert "aws:region" in str(raised.value) and "objectos/prod" in str(raised.value)


def test_an_esc_finding_can_be_waived_with_its_reason(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text(
        f"waivers:\n  - id: {ESC}\n    resource: prod\n    reason: the imports hold credentials only\n"
        "    owner: platform@example.com\n    expires: 2026-12-31\n",
        encoding="utf-8",
    )
    (waiver,) = waivers.load(path, date(2026, 6, 1), required=True)
    config = from_document({"environment": ["aws/prod"], "config": {}}, "prod")
    (finding,) = waivers.apply(
        checks.findings(config, True), [waiver], "prod", Tool.PREVIEW, date(2026, 6, 1), MANDATORY
    )
    assert finding.status is Status.WAIVED


# --- the same in --program mode -----------------------------------------------------------------

PROGRAM = """
import pulumi
import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("settings", metadata={"name": "settings"}, data={"region": pulumi.Config("aws").require("region")})
"""


def esc_project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    stack_text = "environment:\n  - shop/common\nconfig:\n  aws:region: eu-west-1\n"
    for name in ("dev", "prod"):
        (tmp_path / f"Pulumi.{name}.yaml").write_text(stack_text, encoding="utf-8")
    return tmp_path


def test_a_program_whose_stack_imports_esc_is_previewed_and_the_import_reported(tmp_path):
    folder = esc_project(tmp_path)
    assert load_program(folder, "prod").config.header["environment"] == ["shop/common"]  # no longer refused
    prod = preview_program(folder, "prod")
    (finding,) = [f for f in prod.report.findings if f.rule == ESC]
    assert finding.status is Status.FAIL and "shop/common" in finding.reason and prod.exit_code == 1
    dev = preview_program(folder, "dev")
    assert [f.status for f in dev.report.findings if f.rule == ESC] == [Status.NOT_JUDGED]
