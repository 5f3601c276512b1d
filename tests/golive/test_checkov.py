"""checkov (pinned, `make checkov`) over the three stacks' Terraform-plan exports: no failure left unskipped."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from golive import scanners
from golive.terraform_plan import terraform_plan

STACKS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def checkov() -> str:
    command = scanners.checkov_command()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail("checkov is not installed: run `make checkov` (tools/checkov/requirements.txt)")
        pytest.skip("checkov is not installed: `make checkov` installs the pinned one")
    return command


def scan(registrations, stack: str, folder: Path, command: str) -> list[scanners.Failure]:
    path = folder / f"plan-{stack}.json"
    path.write_text(json.dumps(terraform_plan(registrations)), encoding="utf-8")
    return scanners.run_checkov(path, stack, command)


@pytest.fixture(scope="module")
def failures(previews, checkov, tmp_path_factory) -> list[scanners.Failure]:
    folder = tmp_path_factory.mktemp("checkov")
    return [f for s in STACKS for f in scan(previews(s).result.resources, s, folder, checkov)]


def test_every_checkov_failure_over_the_three_stacks_is_skipped_with_a_reason(failures):
    unskipped, _ = scanners.judge(failures, scanners.load_skips(), STACKS)
    assert not unskipped, "\n".join(f"{f.stack}: {f.check} {f.resource} ({f.name})" for f in unskipped)


def test_every_skip_still_matches_a_failure(failures):
    _, unused = scanners.judge(failures, scanners.load_skips(), STACKS)
    assert not unused, "\n".join(f"{s.check} {s.resource}: matches no failure; remove it" for s in unused)


def test_an_unencrypted_bucket_planted_in_a_stack_fails_the_scan(previews, checkov, tmp_path):
    resources = previews("prod").result.resources
    bucket = next(r for r in resources if r.type == "aws:s3/bucket:Bucket")
    planted = dataclasses.replace(
        bucket,
        urn=bucket.urn.rsplit("::", 1)[0] + "::objectos-planted-bucket",
        name="objectos-planted-bucket",
        inputs={"bucket": "objectos-planted", "tags": bucket.inputs.get("tags", {})},
        property_dependencies={},
    )
    found = scan([*resources, planted], "prod", tmp_path, checkov)
    unskipped, _ = scanners.judge(found, scanners.load_skips(), ["prod"])
    assert {f.resource for f in unskipped} == {"aws_s3_bucket.objectos-planted-bucket"}


def test_a_skip_file_entry_without_a_reason_is_refused_naming_the_entry_and_key():
    with pytest.raises(scanners.SkipFileError, match=r"skips\[0\]\.reason: missing or empty"):
        scanners.parse_skips({"skips": [{"check": "CKV_AWS_1", "resource": "aws_s3_bucket.x"}]}, "f.yaml")


def test_a_skip_file_entry_with_an_unknown_key_is_refused():
    entry = {"check": "CKV_AWS_1", "resource": "aws_s3_bucket.x", "reason": "r", "expires": "2027-01-01"}
    with pytest.raises(scanners.SkipFileError, match=r"skips\[0\]\.expires: is not a skip key"):
        scanners.parse_skips({"skips": [entry]}, "f.yaml")


def test_a_skip_matches_its_check_its_address_glob_and_its_stacks_only():
    skip = scanners.Skip("CKV_AWS_144", "aws_s3_bucket.*", "reason", ("prod",))
    assert skip.matches(scanners.Failure("prod", "CKV_AWS_144", "aws_s3_bucket.logs", ""))
    assert not skip.matches(scanners.Failure("dev", "CKV_AWS_144", "aws_s3_bucket.logs", ""))
    assert not skip.matches(scanners.Failure("prod", "CKV_AWS_145", "aws_s3_bucket.logs", ""))
    assert not skip.matches(scanners.Failure("prod", "CKV_AWS_144", "aws_kms_key.logs", ""))
