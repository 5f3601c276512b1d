"""PinnedRelease: image and artifact move together, the pair is recorded, and the
database is snapshotted (and kept) before each release's migration Job."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from components import release_record
from components.pinned_release import PinnedRelease, PinnedReleaseArgs
from settings import rules
from testing.mocks import Registration
from tests.conftest import by_type, one, run_components

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
PARAMETER = "aws:ssm/parameter:Parameter"
CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
INSTANCE_SNAPSHOT = "aws:rds/snapshot:Snapshot"
RDS_IDENTIFIER = re.compile(r"[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)")

DIGEST_IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64
PINNED_ARTIFACT = "https://artifacts.example.com/objectstack.json#sha256=" + "b" * 64
INSTANCE_ARN = "arn:aws:rds:eu-west-1:123456789012:db:objectos-test"


def release_args(**changes) -> PinnedReleaseArgs:
    values = dict(
        release_id="2026.12.05-1",
        image=DIGEST_IMAGE,
        artifact_url=PINNED_ARTIFACT,
        environment="prod",
        stack="test",
        database_arn=INSTANCE_ARN,
        pinned_at="2026-12-05T10:00:00Z",
        tags={"objectos:stack": "test"},
    )
    values.update(changes)
    return PinnedReleaseArgs(**values)


def run_release(**changes):
    return run_components(lambda: PinnedRelease("release", release_args(**changes)))


def container_pair(registration: Registration) -> tuple[str, str]:
    container = registration.inputs["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item.get("value") for item in container["env"]}
    return container["image"], env["OS_ARTIFACT_URL"]


def recorded_pair(result) -> dict:
    return json.loads(one(result, PARAMETER).inputs["insecureValue"])


@pytest.fixture(scope="module")
def prod(previews):
    return previews("prod").result


# --- the prod stack graph --------------------------------------------------------


def test_deployment_and_migration_job_run_the_same_pair(prod):
    assert container_pair(one(prod, DEPLOYMENT)) == container_pair(one(prod, JOB))


def test_ssm_parameter_records_the_pair_the_deployment_runs(prod):
    record = recorded_pair(prod)
    assert (record["image"], record["artifactUrl"]) == container_pair(one(prod, DEPLOYMENT))


def test_ssm_parameter_is_named_for_the_stack(prod):
    assert one(prod, PARAMETER).inputs["name"] == release_record.parameter_name("prod")


def test_pods_are_labelled_with_the_recorded_release(prod):
    labels = one(prod, DEPLOYMENT).inputs["spec"]["template"]["metadata"]["labels"]
    assert labels["objectos.dev/release"] == recorded_pair(prod)["id"]


def test_pre_release_snapshot_is_tagged_with_the_deployed_pair(prod):
    image, artifact_url = container_pair(one(prod, DEPLOYMENT))
    tags = one(prod, CLUSTER_SNAPSHOT).inputs["tags"]
    assert tags[release_record.TAG_RELEASE] == recorded_pair(prod)["id"]
    assert tags[release_record.TAG_IMAGE_DIGEST] == rules.image_digest(image)
    assert tags[release_record.TAG_ARTIFACT_CHECKSUM] == rules.artifact_checksum(artifact_url)


def test_pre_release_snapshot_runs_before_the_migration_job(prod):
    snapshot = one(prod, CLUSTER_SNAPSHOT)
    assert snapshot.urn in one(prod, JOB).dependencies


def test_the_migration_job_names_the_snapshot_to_restore_if_it_must_be_undone(prod):
    snapshot = one(prod, CLUSTER_SNAPSHOT).inputs["dbClusterSnapshotIdentifier"]
    assert one(prod, JOB).inputs["metadata"]["annotations"]["objectos.dev/pre-migration-snapshot"] == snapshot


def test_pre_release_snapshot_is_retained_when_the_release_moves_on(prod):
    snapshot = one(prod, CLUSTER_SNAPSHOT)
    assert snapshot.retain_on_delete
    assert not snapshot.protect, "a protected snapshot would block the next release's replacement"


def test_prod_snapshots_the_aurora_cluster_it_names(prod, previews):
    database = previews("prod").settings.database
    assert database.is_cluster
    assert one(prod, CLUSTER_SNAPSHOT).inputs["dbClusterIdentifier"] == database.identifier


def test_every_aws_resource_of_the_release_carries_the_stack_tag(prod):
    for token in (PARAMETER, CLUSTER_SNAPSHOT):
        assert one(prod, token).inputs["tags"]["objectos:stack"] == "prod"


# --- the component on its own ------------------------------------------------------


def test_an_instance_arn_gets_an_instance_snapshot():
    result = run_release(database_arn=INSTANCE_ARN)
    snapshot = one(result, INSTANCE_SNAPSHOT)
    assert not by_type(result, CLUSTER_SNAPSHOT)
    assert snapshot.inputs["dbInstanceIdentifier"] == "objectos-test"
    assert snapshot.inputs["dbSnapshotIdentifier"].startswith(
        release_record.snapshot_identifier("test", "2026.12.05-1", "2026-12-05T10:00:00Z") + "-"
    )


def test_deployed_at_is_the_pin_time_and_stable_across_runs():
    first, second = recorded_pair(run_release()), recorded_pair(run_release())
    assert first == second
    assert first["deployedAt"] == "2026-12-05T10:00:00Z"


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_unpinned_image_is_refused_outside_dev(environment):
    with pytest.raises(ValueError, match="release-pins-image-and-artifact"):
        run_release(environment=environment, image="ghcr.io/objectstack-ai/objectstack:1.4.2")


def test_unpinned_artifact_is_refused_outside_dev():
    with pytest.raises(ValueError, match="not pinned"):
        run_release(artifact_url="https://artifacts.example.com/objectstack.json")


def test_dev_accepts_a_tag_with_a_warning():
    result = run_release(environment="dev", image="ghcr.io/objectstack-ai/objectstack:1.4.2")
    warnings = [text for severity, text in result.messages if severity == "warning"]
    assert any("release-pins-image-and-artifact" in text and "1.4.2" in text for text in warnings)
    assert one(result, INSTANCE_SNAPSHOT).inputs["tags"][release_record.TAG_IMAGE_DIGEST] == release_record.UNPINNED


# --- the snapshot's name ---------------------------------------------------------------


def test_a_rollback_pin_names_a_fresh_snapshot():
    first = release_record.snapshot_identifier("prod", "2026.11.29-1", "2026-11-29T02:30:00Z")
    again = release_record.snapshot_identifier("prod", "2026.11.29-1", "2026-12-06T08:00:00Z")
    assert first != again


def test_stacks_sharing_a_release_id_get_different_snapshots():
    assert release_record.snapshot_identifier("staging", "r1") != release_record.snapshot_identifier("prod", "r1")


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    stack=st.from_regex(r"[A-Za-z0-9_.-]{1,60}", fullmatch=True),
    release_id=st.from_regex(rules.RELEASE_ID, fullmatch=True),
    pinned_at=st.one_of(st.none(), st.just("2026-12-05T10:00:00Z")),
)
def test_snapshot_identifier_is_always_a_valid_rds_identifier(stack, release_id, pinned_at):
    identifier = release_record.snapshot_identifier(stack, release_id, pinned_at)
    assert RDS_IDENTIFIER.fullmatch(identifier), identifier
    assert len(identifier) <= release_record.RDS_IDENTIFIER_MAX


# --- re-creation: the retained snapshot never blocks a later `pulumi up` ----------------------

RANDOM_ID = "random:index/randomId:RandomId"


def snapshot_name(result) -> str:
    return one(result, INSTANCE_SNAPSHOT).inputs["dbSnapshotIdentifier"]


def test_a_destroy_and_up_takes_a_snapshot_under_a_new_name():
    """The snapshot is retained on destroy; the fresh stack draws a new random part, so no collision."""
    first, again = snapshot_name(run_release()), snapshot_name(run_release())
    assert first != again
    stable = release_record.snapshot_identifier("test", "2026.12.05-1", "2026-12-05T10:00:00Z")
    assert first.startswith(stable + "-") and again.startswith(stable + "-")


def test_a_new_image_under_the_same_release_id_draws_a_new_name():
    """The random part's keepers are the release id, image and artifact: any change replaces it."""
    keepers = one(run_release(), RANDOM_ID).inputs["keepers"]
    args = release_args()
    assert keepers == {"release": args.release_id, "image": args.image, "artifact": args.artifact_url}


def test_the_snapshot_waits_for_its_random_part(prod):
    (snapshot,) = by_type(prod, CLUSTER_SNAPSHOT)
    (suffix,) = [r for r in by_type(prod, RANDOM_ID) if r.name.endswith("-snapshot-suffix")]
    assert suffix.urn in snapshot.property_dependencies["dbClusterSnapshotIdentifier"]
    assert snapshot.retain_on_delete


@pytest.mark.parametrize("release_id", ["r1", "x" * 64, "2026.12.05-1_hotfix"])
def test_the_unique_name_stays_a_valid_rds_identifier(release_id):
    name = release_record.snapshot_identifier(
        "a-very-long-stack-name-of-32-chr", release_id, "2026-12-05T10:00:00Z", "0f1e2d3c"
    )
    assert RDS_IDENTIFIER.fullmatch(name) and len(name) <= release_record.RDS_IDENTIFIER_MAX
    assert name.endswith("-0f1e2d3c")
