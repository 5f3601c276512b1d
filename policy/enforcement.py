"""How strictly each environment enforces the pack: its config file, read by the CLI and the preview.

`pulumi preview --policy-pack policy --policy-pack-config policy/policy-config.<environment>.json`
and the offline preview read the same file. Standard library only, so the preview
can read it without importing the policy SDK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parent

NOT_JUDGED = "judged every known value; not judged: "
"""Starts the preview note of a policy that judged all it could and names what it could not
(values unknown until deploy). Such a note is never a failure: the preview shows it on the row."""

UNKNOWN_NEEDED = "needs values unknown until deploy: "
"""Starts the preview note of a policy that could not judge what it needed (values unknown until
deploy). The preview shows it as not judged; prod, which goes live on verdicts, fails it."""

MANDATORY_EVERYWHERE = ("aws-inputs-valid", "pods-can-start", "runtime-edition-topology")
"""Policies every environment's config makes mandatory: a stack AWS would refuse, or whose pods
can never start, deploys nowhere."""


def config_file(environment: str) -> Path:
    """The pack configuration an environment's stacks run with."""
    return PACK_DIR / f"policy-config.{environment}.json"


def load_config(environment: str) -> dict[str, Any]:
    """The environment's pack configuration; empty (every policy mandatory) when it has no file."""
    path = config_file(environment)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
