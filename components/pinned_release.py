"""PinnedRelease: the ObjectOS image and artifact, moved only as a pair.

The workload takes its image and OS_ARTIFACT_URL from this component alone, so
a release or a rollback always changes both. It records the deployed pair in
SSM and snapshots the database before the release's migration Job runs:
migrations are forward-only, and that snapshot is the way back across one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from . import release_record
from .inputs import args_of, fill_defaults, filled


@dataclass
class PinnedReleaseArgs:
    """Inputs of PinnedRelease."""

    release_id: str
    """Release id: names the snapshot and the migration Job, labels the pods."""
    image: str
    """ObjectOS image, <repo>@sha256:<64 hex> (a tag is accepted in dev only)."""
    artifact_url: str
    """OS_ARTIFACT_URL ending in #sha256=<64 hex> (unpinned is accepted in dev only)."""
    environment: str
    """dev | staging | prod: pins are required unless dev."""
    stack: str
    """Stack name: names the SSM parameter and the snapshot."""
    database_arn: str
    """RDS instance (...:db:name) or Aurora cluster (...:cluster:name) to snapshot before the migration."""
    pinned_at: Optional[str] = None
    """UTC time `golive release`/`rollback` set the pin: deployedAt, and the snapshot name's stamp."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every AWS resource (settings.model.aws_tags)."""
    snapshot_timeout: Optional[str] = "2h"
    """How long `pulumi up` waits for the snapshot to complete; a large database takes a while."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class PinnedRelease(pulumi.ComponentResource):
    """The release pair, its SSM record and the database snapshot its migration waits for.

    Pass the PinnedRelease in the workload's `depends_on`: its migration Job then waits for the snapshot.
    """

    release_id: str
    """Release id (a plain string: the workload names its migration Job from it)."""
    image: pulumi.Output[str]
    """The image for every workload container."""
    artifact_url: pulumi.Output[str]
    """OS_ARTIFACT_URL for every workload container."""
    parameter_name: pulumi.Output[str]
    """SSM parameter holding the deployed pair as JSON."""
    snapshot_identifier: pulumi.Output[str]
    """Identifier of the snapshot to restore when rolling back across this release's migration."""

    def __init__(self, name: str, args: PinnedReleaseArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:PinnedRelease", name, None, opts)
        args = args_of(PinnedReleaseArgs, args)
        problems = release_record.pin_problems(args.image, args.artifact_url)
        if problems and release_record.pins_required(args.environment):
            raise ValueError(f"{args.environment} requires a pinned release: " + "; ".join(problems))
        for problem in problems:
            pulumi.log.warn(f"{problem} (accepted in dev only)", resource=self)

        release_tags = {
            **filled(args.tags),
            **release_record.snapshot_tags(args.release_id, args.image, args.artifact_url),
        }

        parameter = aws.ssm.Parameter(
            f"{name}-record",
            aws.ssm.ParameterArgs(
                name=release_record.parameter_name(args.stack),
                type="String",
                # Not a secret (the model refuses credentials in the artifact URL); shown in diffs on purpose.
                insecure_value=release_record.parameter_value(
                    args.release_id, args.image, args.artifact_url, args.pinned_at
                ),
                description="ObjectOS release deployed by this stack: id, image, artifactUrl, deployedAt.",
                tags=release_tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        # The snapshot outlives a destroy: a random part drawn anew for each release, image and
        # artifact (and after a destroy) keeps a later `pulumi up` from colliding with it.
        suffix = random.RandomId(
            f"{name}-snapshot-suffix",
            random.RandomIdArgs(
                byte_length=release_record.SNAPSHOT_SUFFIX_BYTES,
                keepers={"release": args.release_id, "image": args.image, "artifact": args.artifact_url},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        identifier = suffix.hex.apply(
            lambda unique: release_record.snapshot_identifier(args.stack, args.release_id, args.pinned_at, unique)
        )
        database = release_record.database_identifier(args.database_arn)
        # Retained: a new release replaces this resource, and the old snapshot must outlive it.
        snapshot_opts = pulumi.ResourceOptions(
            parent=self,
            retain_on_delete=True,
            custom_timeouts=pulumi.CustomTimeouts(create=args.snapshot_timeout),
        )
        if release_record.is_cluster(args.database_arn):
            snapshot = aws.rds.ClusterSnapshot(
                f"{name}-pre-migration",
                aws.rds.ClusterSnapshotArgs(
                    db_cluster_identifier=database,
                    db_cluster_snapshot_identifier=identifier,
                    tags=release_tags,
                ),
                opts=snapshot_opts,
            )
            self.snapshot_identifier = snapshot.db_cluster_snapshot_identifier
        else:
            snapshot = aws.rds.Snapshot(
                f"{name}-pre-migration",
                aws.rds.SnapshotArgs(
                    db_instance_identifier=database,
                    db_snapshot_identifier=identifier,
                    tags=release_tags,
                ),
                opts=snapshot_opts,
            )
            self.snapshot_identifier = snapshot.db_snapshot_identifier

        self.release_id = args.release_id
        self.image = pulumi.Output.from_input(args.image)
        self.artifact_url = pulumi.Output.from_input(args.artifact_url)
        self.parameter_name = parameter.name
        self.register_outputs(
            {
                "release_id": self.release_id,
                "image": self.image,
                "artifact_url": self.artifact_url,
                "parameter_name": self.parameter_name,
                "snapshot_identifier": self.snapshot_identifier,
            }
        )
