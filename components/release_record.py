"""What a paired release records: its SSM parameter and its pre-migration snapshot.

Pure functions shared by the PinnedRelease component and the `golive release` /
`golive rollback` commands, so the snapshot a rollback names is exactly the one
`pulumi up` took before that release's migration.
"""

import hashlib
import json
import re
from typing import Optional

from objectos_core import pins
from objectos_core.names import TAG_ARTIFACT_CHECKSUM, TAG_IMAGE_DIGEST, TAG_RELEASE

RDS_IDENTIFIER_MAX = 63  # cluster snapshots allow 63; keep instance snapshots to the same rule
UNPINNED = "unpinned"
PINS_ITEM = "release-pins-image-and-artifact"


def parameter_name(stack: str) -> str:
    return f"/objectos/{stack}/release"


def parameter_value(release_id: str, image: str, artifact_url: str, deployed_at: Optional[str]) -> str:
    """The deployed pair as JSON. deployedAt is the pin's time, so repeated `pulumi up` runs leave it alone."""
    return json.dumps({"id": release_id, "image": image, "artifactUrl": artifact_url, "deployedAt": deployed_at})


def pin_problems(image: str, artifact_url: str) -> list[str]:
    """Messages for each part of the pair that is not pinned (dev accepts them as warnings)."""
    return [f"{PINS_ITEM}: {message}" for _, message in pins.release_pin_problems(image, artifact_url)]


def pins_required(environment: str) -> bool:
    return environment != "dev"


def is_cluster(database_arn: str) -> bool:
    return ":cluster:" in database_arn


def database_identifier(database_arn: str) -> str:
    return database_arn.rsplit(":", 1)[1]


SNAPSHOT_SUFFIX_BYTES = 4
"""Random bytes folded into each snapshot name (8 hex characters)."""


def snapshot_identifier(stack: str, release_id: str, pinned_at: Optional[str] = None, unique: str = "") -> str:
    """A valid RDS snapshot identifier for a stack, release and pin time, ending in `unique`.

    The pin time makes a rollback to an earlier release take a fresh snapshot instead
    of colliding with the one that release kept from its first deployment. The snapshot
    outlives the stack (retained), so `unique` (a random id the deployment draws per
    release, image and artifact) keeps a destroy-and-up, or a new image under the same
    release id, from colliding with a snapshot already taken. Without it the result is
    the name's stable prefix, which `golive release` prints to find the snapshot by.
    """
    stamp = re.sub(r"\D", "", pinned_at) if pinned_at else ""
    tail = (f"-{stamp}" if stamp else "") + (f"-{re.sub(r'[^a-z0-9]+', '', unique.lower())}" if unique else "")
    identifier = _rds_safe(f"objectos-{stack}-{release_id}")
    if len(identifier) + len(tail) > RDS_IDENTIFIER_MAX:
        digest = hashlib.sha256(f"{stack}\0{release_id}".encode()).hexdigest()[:8]
        keep = RDS_IDENTIFIER_MAX - len(tail) - len(digest) - 1
        identifier = f"{identifier[:keep].rstrip('-')}-{digest}"
    return identifier + tail


def snapshot_tags(release_id: str, image: str, artifact_url: str) -> dict[str, str]:
    """The release and both pins, so a snapshot says which pair ran on the schema it holds."""
    return {
        TAG_RELEASE: release_id,
        TAG_IMAGE_DIGEST: pins.image_digest(image) or UNPINNED,
        TAG_ARTIFACT_CHECKSUM: pins.artifact_checksum(artifact_url) or UNPINNED,
    }


def _rds_safe(text: str) -> str:
    """Letters, digits and single hyphens, starting with a letter, not ending with a hyphen."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"s-{cleaned}"
