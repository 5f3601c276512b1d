"""Release policy: pinned image and artifact, moved together, recorded together."""

from __future__ import annotations

import json

import pytest

from policy.policies.release import pinned_artifact, pinned_image, release_pins_image_and_artifact
from settings import rules
from tests.policykit import Stack, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
SSM = "aws:ssm/parameter:Parameter"
IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64
ARTIFACT = "https://artifacts.example.com/objectstack.json#sha256=" + "b" * 64


def workload(image: str, artifact: str | None, extra_images: tuple[str, ...] = ()) -> dict:
    env = [{"name": "OS_PORT", "value": "8080"}]
    if artifact is not None:
        env.append({"name": "OS_ARTIFACT_URL", "value": artifact})
    containers = [{"name": "objectos", "image": image, "env": env}]
    containers += [{"name": f"sidecar-{i}", "image": extra} for i, extra in enumerate(extra_images)]
    return {"spec": {"template": {"spec": {"containers": containers}}}}


def release(
    image: str = IMAGE,
    artifact: str | None = ARTIFACT,
    job_image: str = IMAGE,
    record: tuple[str, str] | None = (IMAGE, ARTIFACT),
    sidecars: tuple[str, ...] = (),
) -> Stack:
    stack = Stack()
    stack.add(DEPLOYMENT, "objectos-deployment", workload(image, artifact, sidecars))
    stack.add(JOB, "objectos-migrate", workload(job_image, artifact))
    if record is not None:
        value = json.dumps({"id": "1", "image": record[0], "artifactUrl": record[1]})
        stack.add(SSM, "release-record", {"name": "/objectos/prod/release", "type": "String", "insecureValue": value})
    return stack


def test_release_passes_one_pinned_pair_recorded_for_rollback():
    assert violations(release_pins_image_and_artifact, release().args()) == []


def test_release_fails_an_image_tag():
    tagged = "ghcr.io/objectstack-ai/objectstack:1.4.2"
    found = violations(
        release_pins_image_and_artifact, release(image=tagged, job_image=tagged, record=(tagged, ARTIFACT)).args()
    )
    assert len(found) == 2 and all("a tag that can move" in v for v in found)


def test_release_fails_an_artifact_without_integrity_pin():
    loose = "https://artifacts.example.com/objectstack.json"
    found = violations(release_pins_image_and_artifact, release(artifact=loose, record=(IMAGE, loose)).args())
    assert found and all("without an integrity pin" in v for v in found)


def test_release_fails_a_runtime_without_an_artifact():
    found = violations(
        release_pins_image_and_artifact, release(artifact=None, record=None).args({"requireReleaseRecord": False})
    )
    assert any("no OS_ARTIFACT_URL" in v for v in found)


def test_release_fails_a_migration_job_on_another_release():
    other = "ghcr.io/objectstack-ai/objectstack@sha256:" + "c" * 64
    found = violations(release_pins_image_and_artifact, release(job_image=other).args())
    assert any("different releases" in v for v in found)


def test_release_fails_a_record_that_differs_from_the_workloads():
    other = "ghcr.io/objectstack-ai/objectstack@sha256:" + "c" * 64
    found = violations(release_pins_image_and_artifact, release(record=(other, ARTIFACT)).args())
    assert len(found) == 1 and "release record" in found[0]


def test_release_fails_without_a_record():
    assert any(
        "no release record" in v for v in violations(release_pins_image_and_artifact, release(record=None).args())
    )


def test_release_fails_an_unpinned_sidecar_unless_configured_otherwise():
    stack = release(sidecars=("busybox:latest",))
    assert violations(release_pins_image_and_artifact, stack.args())
    assert violations(release_pins_image_and_artifact, stack.args({"pinAllImages": False})) == []


@pytest.mark.parametrize(
    "image",
    [
        IMAGE,
        "ghcr.io/objectstack-ai/objectstack:1.4.2",
        "registry:5000/objectos@sha256:" + "f" * 64,
        "x@sha256:" + "A" * 64,
    ],
)
def test_image_pins_agree_with_the_settings_rules(image):
    assert pinned_image(image) == rules.pinned_image(image)


@pytest.mark.parametrize(
    "url",
    [ARTIFACT, "https://artifacts.example.com/a.json", "http://a/b.json#sha256=" + "b" * 64, ARTIFACT + "x"],
)
def test_artifact_pins_agree_with_the_settings_rules(url):
    assert pinned_artifact(url) == rules.pinned_artifact(url)


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64,
        "ghcr.io/objectstack-ai/objectstack:1.4.2",
        "ghcr.io/objectstack-ai/objectstack@sha256:" + "A" * 64,
        "repo@sha256:" + "0" * 63,
    ],
)
def test_the_pack_judges_image_pins_as_the_settings_do(image):
    from objectos_core import pins
    from policy.policies import release

    assert release.pinned_image(image) == pins.pinned_image(image)


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example.com/o.json#sha256=" + "b" * 64,
        "http://a.example.com/o.json#sha256=" + "b" * 64,
        "https://a.example.com/o.json",
        "https://a.example.com/o.json#sha256=" + "b" * 63,
    ],
)
def test_the_pack_judges_artifact_pins_as_the_settings_do(url):
    from objectos_core import pins
    from policy.policies import release

    assert release.pinned_artifact(url) == pins.pinned_artifact(url)
