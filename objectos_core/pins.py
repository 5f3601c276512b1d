"""What makes a release pinned: an image by digest and an artifact by checksum.

Pure and standard library only. One rule for each: the settings validate stack
files with it, PinnedRelease refuses unpinned pairs with it and the policy pack
judges the graph with it, so all three agree.
"""

import re
from typing import Optional

from objectos_core import urls

# Docker's reference grammar (distribution/reference): [host[:port]/]path[:tag][@sha256:digest],
# path components lowercase, separated by '/'; a digest is 64 lowercase hex characters.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
IMAGE_REF = re.compile(
    rf"(?P<name>(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
ARTIFACT_PIN = re.compile(r"#sha256=[0-9a-f]{64}$")


def image_reference(image: str) -> Optional[re.Match]:
    """The reference's parts (name, tag, digest), or None when it is not an image reference."""
    return IMAGE_REF.fullmatch(image) if isinstance(image, str) else None


def pinned_image(image: str) -> bool:
    """An image reference with a digest: what it runs cannot move."""
    reference = image_reference(image)
    return reference is not None and reference.group("digest") is not None


def pinned_artifact(url: str) -> bool:
    return url.startswith("https://") and bool(ARTIFACT_PIN.search(url))


def image_digest(image: str) -> Optional[str]:
    reference = image_reference(image)
    return reference.group("digest") if reference is not None else None


def artifact_checksum(url: str) -> Optional[str]:
    match = ARTIFACT_PIN.search(url)
    return match.group(0)[1:] if match else None


def release_pin_problems(image: str, artifact_url: str) -> list[tuple[str, str]]:
    """(field, message) for each part of a release that is not pinned."""
    problems = []
    if not pinned_image(image):
        problems.append(("image", f"'{image}' is not pinned by digest; use <repo>@sha256:<64 hex> (a tag can move)"))
    if not pinned_artifact(artifact_url):
        problems.append(
            (
                "artifactUrl",
                f"'{urls.shown(artifact_url)}' is not pinned; use an https URL ending in #sha256=<64 hex> of objectstack.json",
            )
        )
    return problems
