"""How long `pulumi up` waits for each Kubernetes resource: derived from the resource's own deadlines.

pulumi-kubernetes waits for a Job to complete, a Deployment to roll out and a
resource annotated `pulumi.com/waitFor` to meet its condition, 10 minutes each
by default; a failed or timed-out wait fails the update. `customTimeouts` set
the wait, and take precedence over the `pulumi.com/timeoutSeconds` annotation.
Each wait here outlasts the deadline Kubernetes itself enforces, so the cluster,
not an arbitrary provider default, decides whether the work failed. Pure.
"""

from __future__ import annotations

import math

MARGIN_SECONDS = 300
"""Added to each deadline: scheduling, image pull and the controller noticing the outcome."""
MIGRATION_DEADLINE_SECONDS = 1800
"""The migration Job's activeDeadlineSeconds: a migration that runs longer is killed and fails."""
PROGRESS_DEADLINE_SECONDS = 600
"""The Deployment's progressDeadlineSeconds: one wave of new pods must become ready within it."""
MAX_SURGE_PERCENT = 25
SECRET_SYNC_SECONDS = 600
"""An ExternalSecret's first sync: the operator retries a failed read within a minute or so."""


def job_timeout_seconds(active_deadline_seconds: int = MIGRATION_DEADLINE_SECONDS) -> int:
    """The Job's wait: its deadline plus the margin, so the Job fails before the wait gives up."""
    return active_deadline_seconds + MARGIN_SECONDS


def rollout_waves(pods: int, max_surge_percent: int = MAX_SURGE_PERCENT) -> int:
    """Batches a RollingUpdate with maxUnavailable 0 needs for `pods` pods (1 for Recreate: pass surge 100)."""
    pods = max(1, pods)
    surge = max(1, math.ceil(pods * max_surge_percent / 100))
    return math.ceil(pods / surge)


def deployment_timeout_seconds(
    pods: int, progress_deadline_seconds: int = PROGRESS_DEADLINE_SECONDS, max_surge_percent: int = MAX_SURGE_PERCENT
) -> int:
    """The Deployment's wait: each wave of a rollout of `pods` pods may use the whole progress deadline.

    `pods` is the most the Deployment can run when it is updated: the autoscaler's ceiling.
    """
    return rollout_waves(pods, max_surge_percent) * progress_deadline_seconds + MARGIN_SECONDS


def duration(seconds: int) -> str:
    """A customTimeouts duration string: whole minutes when they fit."""
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"
