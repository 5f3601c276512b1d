"""checkov over a stack's Terraform-plan export, with the kit's committed skips.

checkov skips a check for one resource through an inline `checkov:skip` comment in HCL, which a
plan has no place for, and `--skip-check` skips a check everywhere. So the skips live in a
committed file, `stacks/checkov-skips.yaml`: each names the check, the resource address (a glob),
optionally the stacks, and the reason. A failure no skip matches fails the scan; a skip that
matches no failure is reported too, so the file cannot go stale.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from settings import files

SKIPS_FILE = Path(__file__).resolve().parent.parent / "stacks" / "checkov-skips.yaml"
CHECKOV = Path(__file__).resolve().parent.parent / "tools" / "checkov" / ".venv" / "bin" / "checkov"
KEYS = ("check", "resource", "reason")
OPTIONAL = ("stacks",)


class SkipFileError(ValueError):
    """A skips file the kit will not use: the message names the entry, the key and what to do."""


@dataclass(frozen=True)
class Skip:
    check: str  # CKV_AWS_144
    resource: str  # a plan address or a glob of addresses: aws_s3_bucket.objectos-audit-bucket, aws_kms_key.*
    reason: str
    stacks: tuple[str, ...] = ()

    def matches(self, failure: Failure) -> bool:
        return (
            failure.check == self.check
            and (not self.stacks or failure.stack in self.stacks)
            and fnmatch.fnmatchcase(failure.resource, self.resource)
        )


@dataclass(frozen=True)
class Failure:
    stack: str
    check: str
    resource: str
    name: str  # checkov's own words for the check


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    try:
        document = files.load_yaml(path)
    except files.InputFileError as exc:
        raise SkipFileError(str(exc)) from None
    return parse_skips(document, str(path))


def parse_skips(document: Any, source: str) -> list[Skip]:
    if document is None:
        return []
    if not isinstance(document, Mapping) or set(document) - {"skips"}:
        raise SkipFileError(f"{source}: must be a mapping with one key, `skips:`, a list of skips")
    entries = document.get("skips") or []
    if not isinstance(entries, list):
        raise SkipFileError(f"{source}: skips: must be a list, each entry a mapping of {', '.join(KEYS)}")
    found = []
    for index, entry in enumerate(entries):
        where = f"{source}: skips[{index}]"
        if not isinstance(entry, Mapping):
            raise SkipFileError(f"{where}: must be a mapping of {', '.join(KEYS)}")
        unknown = [k for k in entry if k not in KEYS + OPTIONAL]
        if unknown:
            raise SkipFileError(f"{where}.{unknown[0]}: is not a skip key; use {', '.join(KEYS + OPTIONAL)}")
        for key in KEYS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise SkipFileError(f"{where}.{key}: missing or empty; every skip needs {', '.join(KEYS)}")
        stacks = entry.get("stacks", [])
        if not isinstance(stacks, list) or not all(isinstance(s, str) and s for s in stacks):
            raise SkipFileError(f"{where}.stacks: must be a list of stack names, e.g. [dev, staging]")
        found.append(Skip(entry["check"], entry["resource"], entry["reason"].strip(), tuple(stacks)))
    return found


def checkov_command() -> Optional[str]:
    """The pinned checkov of `make checkov`, else one on PATH; None when neither is installed."""
    if CHECKOV.exists():
        return str(CHECKOV)
    return shutil.which("checkov")


def run_checkov(plan: Path, stack: str, command: str) -> list[Failure]:
    """checkov's failed checks of one exported plan (terraform_plan framework)."""
    done = subprocess.run(
        [command, "-f", str(plan), "--framework", "terraform_plan", "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    return [
        Failure(stack, f["check_id"], f["resource"], f["check_name"])
        for r in reports
        for f in r.get("results", {}).get("failed_checks", [])
    ]


def judge(
    failures: Iterable[Failure], skips: Sequence[Skip], stacks: Iterable[str]
) -> tuple[list[Failure], list[Skip]]:
    """(failures no skip matches, skips that matched no failure in any of `stacks`)."""
    failures = list(failures)
    unskipped = [f for f in failures if not any(s.matches(f) for s in skips)]
    scanned = set(stacks)
    unused = [s for s in skips if (not s.stacks or scanned & set(s.stacks)) and not any(s.matches(f) for f in failures)]
    return unskipped, unused
