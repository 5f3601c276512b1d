"""What makes a release pinned: an image by digest and an artifact by checksum.

Pure and standard library only. The settings validate stack files with these
rules and PinnedRelease refuses unpinned pairs with them, so both agree.
"""

import re
from typing import Optional

PINNED_IMAGE = re.compile(r".+@sha256:[0-9a-f]{64}")
ARTIFACT_PIN = re.compile(r"#sha256=[0-9a-f]{64}$")


def pinned_image(image: str) -> bool:
    return bool(PINNED_IMAGE.fullmatch(image))


def pinned_artifact(url: str) -> bool:
    return url.startswith("https://") and bool(ARTIFACT_PIN.search(url))


def image_digest(image: str) -> Optional[str]:
    return image.rsplit("@", 1)[1] if pinned_image(image) else None


def artifact_checksum(url: str) -> Optional[str]:
    match = ARTIFACT_PIN.search(url)
    return match.group(0)[1:] if match else None


def release_pin_problems(image: str, artifact_url: str) -> list[tuple[str, str]]:
    """(field, message) for each part of a release that is not pinned."""
    problems = []
    if not pinned_image(image):
        problems.append(
            ("image", f"'{image}' is not pinned by digest; use <repo>@sha256:<64 hex> (a tag can move)")
        )
    if not pinned_artifact(artifact_url):
        problems.append(
            (
                "artifactUrl",
                f"'{artifact_url}' is not pinned; use an https URL ending in #sha256=<64 hex> of objectstack.json",
            )
        )
    return problems
