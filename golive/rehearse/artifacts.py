"""The artifacts a rehearsal boots: compiled once by the runtime's own `os compile`, served with their pins.

A rehearsal needs two versions of one app, so that `golive release` then `golive rollback`
can move the runtime forward and back. The first is the project compiled by `os compile`
(cached by the project's bytes and the runtime version, since a compile takes 15 s or
more); the second is the same artifact with its manifest version raised, which is what a
release of the same app with a version bump compiles to. Both are served over HTTPS on
loopback, from a certificate of the rehearsal's local CA, because a release pin must be an
https URL with `#sha256=`; the server records every path it served, so the rehearsal can
show which artifact a boot fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import shutil
import ssl
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from golive.rehearse.install import Installation
from golive.rehearse.runtime import LOOPBACK, compile_artifact

APP = Path(__file__).resolve().parent / "app"
"""The kit's sample app (one object, private sharing): what is rehearsed unless --app names a project."""
CONFIG_FILE = "objectstack.config.ts"
CACHE_ENV = "XDG_CACHE_HOME"


class ArtifactError(Exception):
    """The app cannot be compiled or served; the message names the project and the step."""


@dataclass(frozen=True)
class Artifact:
    """One compiled app version: its bytes on disk and the pin that names them."""

    path: Path
    version: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or str(Path.home() / ".cache")
    return Path(base) / "objectos-golive" / "artifacts"


def compiled(installation: Installation, project: Path, cache: Optional[Path] = None) -> Path:
    """`os compile` of the project (its objectstack.config.ts), cached by its bytes and the runtime version."""
    config = project / CONFIG_FILE
    if not config.is_file():
        raise ArtifactError(f"{project}: no {CONFIG_FILE}; give an ObjectStack project folder (--app)")
    key = hashlib.sha256(config.read_bytes() + installation.version().encode()).hexdigest()[:32]
    cached = (cache or cache_dir()) / f"{key}.json"
    if cached.is_file():
        return cached
    with tempfile.TemporaryDirectory(prefix="objectos-app-") as scratch:
        shutil.copy(config, scratch)
        try:
            built = compile_artifact(installation, Path(scratch))
        except Exception as exc:  # BootFailed carries the compiler's output
            raise ArtifactError(f"{project}: os compile failed: {exc}") from exc
        _manifest(json.loads(built.read_text(encoding="utf-8")), project)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        shutil.copy(built, partial)
        partial.replace(cached)
    return cached


def two_versions(source: Path, into: Path) -> tuple[Artifact, Artifact]:
    """The compiled artifact as it is, and the same app one minor version later."""
    document = json.loads(source.read_text(encoding="utf-8"))
    manifest = _manifest(document, source)
    first = str(manifest.get("version") or "1.0.0")
    second = bump(first)
    into.mkdir(parents=True, exist_ok=True)
    artifacts = []
    for version in (first, second):
        manifest["version"] = version
        path = into / f"objectstack-{version}.json"
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        artifacts.append(Artifact(path, version))
    return artifacts[0], artifacts[1]


def bump(version: str) -> str:
    """The next minor version: 1.0.0 -> 1.1.0 (a version that is not X.Y.Z gets '.1' appended)."""
    parts = version.split(".")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return f"{parts[0]}.{int(parts[1]) + 1}.0"
    return f"{version}.1"


def _manifest(document: Any, where: Path) -> dict[str, Any]:
    manifest = document.get("manifest") if isinstance(document, dict) else None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{where}: the compiled artifact has no manifest object")
    return manifest


@dataclass
class ArtifactServer:
    """HTTPS on loopback serving a folder of artifacts; `served` lists the paths fetched, in order."""

    port: int
    folder: Path
    served: list[str] = field(default_factory=list)

    def url(self, artifact: Artifact, sha256: Optional[str] = None) -> str:
        """The pinned URL of an artifact in the folder (its own digest unless another is given)."""
        return f"https://{LOOPBACK}:{self.port}/{artifact.path.name}#sha256={sha256 or artifact.sha256}"


@contextlib.contextmanager
def serving(folder: Path, cert: Path, key: Path) -> Iterator[ArtifactServer]:
    """Serve `folder` over TLS (the local CA's leaf) on a free loopback port until the block ends."""
    served: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            served.append(self.path.split("?", 1)[0])
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's signature)
            return

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="artifact-server", daemon=True)
    thread.start()
    try:
        yield ArtifactServer(server.server_address[1], folder, served)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
