"""Runtime editions and the pod topologies each one boots.

The open runtime (public image ghcr.io/objectstack-ai/objectstack, npm
@objectstack/cli) is single-node: its cluster service admits a remote cluster
driver only when a multi-node authorization gate is registered, which only the
licensed packages (@objectstack/security-enterprise, @objectstack/organizations)
provide. With OS_CLUSTER_REPLICAS or OS_EXPECT_MULTI_NODE it then refuses to
boot; OS_ALLOW_MEMORY_CLUSTER_MULTINODE boots it anyway on per-process locks
(split brain). Its tenancy is single-org: `group` and `isolated` postures are
fatal at boot. The workload, the settings and the policy pack read these.
"""

from __future__ import annotations

from typing import Optional

from .pins import image_reference

OPEN = "open"
LICENSED = "licensed"
EDITIONS = (OPEN, LICENSED)

OPEN_IMAGE_REPOSITORY = "ghcr.io/objectstack-ai/objectstack"
LICENSED_PACKAGES = ("@objectstack/security-enterprise", "@objectstack/organizations")
EDITION_LABEL = "objectos.dev/edition"
"""Label the workload puts on its pods and Deployment: the edition its image runs."""

CLUSTER_DRIVER = "OS_CLUSTER_DRIVER"
CLUSTER_REPLICAS = "OS_CLUSTER_REPLICAS"
EXPECT_MULTI_NODE = "OS_EXPECT_MULTI_NODE"
ALLOW_MEMORY_MULTINODE = "OS_ALLOW_MEMORY_CLUSTER_MULTINODE"
REDIS_URL = "OS_REDIS_URL"
SECRET_KEY = "OS_SECRET_KEY"
TENANCY_POSTURE = "OS_TENANCY_POSTURE"
MULTI_ORG = "OS_MULTI_ORG_ENABLED"
MULTI_ORG_POSTURES = ("group", "isolated")
REMOTE_DRIVER = "redis"

FIX_MULTI_NODE = (
    f"run one pod (replicas 1, autoscaler ceiling 1, Recreate rollouts), or run a licensed image that ships "
    f"{' or '.join(LICENSED_PACKAGES)} and say edition: licensed"
)


def image_repository(image: str) -> str:
    """The repository of an image reference: without its tag and digest (pins.py's one grammar)."""
    reference = image_reference(image)
    if reference is not None:
        return reference.group("name")
    name = image.split("@", 1)[0] if isinstance(image, str) else ""
    last_slash, colon = name.rfind("/"), name.rfind(":")
    return name[:colon] if colon > last_slash else name


def inferred_edition(image: str) -> Optional[str]:
    """`open` for the public open image; None (the stack must say) for any other repository."""
    return OPEN if image_repository(image) == OPEN_IMAGE_REPOSITORY else None
