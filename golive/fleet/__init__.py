"""Many stacks at once: `golive preview --stacks all` and `golive verify --fleet FILE`.

workers.py forks one worker per stack (bounded, with timeouts); report.py is the combined
report and the fleet's exit code; preview.py and verify.py are the two commands. options.py
(standard library only) adds their command-line options.
"""

import os
import sys

# gRPC's C core runs fork handlers that can break the parent's channel to the policy pack when a
# fork comes while a call is in flight; the workers never use gRPC, so they are turned off. The
# switch is read when grpc is imported: if it was imported before this package, the workers
# keep forks and the pack's calls apart instead (workers.run(..., fork_guard=True)).
GRPC_FORK_HANDLERS = "grpc" in sys.modules and os.environ.get("GRPC_ENABLE_FORK_SUPPORT", "") != "false"
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
