"""Entry point the Pulumi CLI runs for `--policy-pack policy`: it only builds the pack."""

import sys
from pathlib import Path

# The CLI runs this file from policy/; the pack's modules import as `policy.*` from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy import lifeline  # noqa: E402

lifeline.arm()  # started by golive: end with it, before the slow imports

from pulumi_policy import PolicyPack  # noqa: E402

from policy import sdk_memo  # noqa: E402
from policy.pack import DEFAULT_ENFORCEMENT, DESCRIPTION, PACK_NAME, POLICIES  # noqa: E402

sdk_memo.install()  # before the pack serves: AnalyzeStack converts each resource once, not once per policy
PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=DEFAULT_ENFORCEMENT, description=DESCRIPTION)
