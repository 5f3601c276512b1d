"""The longest path of a fresh `pulumi up`, from the recorded graph and typical creation times.

The engine creates a resource as soon as everything it depends on exists, so a
fresh deployment takes as long as its heaviest dependency chain. A dependency
on a component means waiting for every resource inside it, as the engine does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Typical seconds from "create" to "created" as the providers wait for them.
# Approximate figures from the services' documentation and the providers' await logic.
CREATION_SECONDS: dict[str, tuple[float, str]] = {
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        900,
        "ElastiCache: creating a replication group with replicas and Multi-AZ takes 10-20 min; the provider waits for 'available'",
    ),
    "aws:cloudfront/distribution:Distribution": (
        480,
        "CloudFront: a new distribution deploys to every edge in about 5-10 min; the provider waits for 'Deployed'",
    ),
    "aws:acm/certificateValidation:CertificateValidation": (
        240,
        "ACM DNS validation: usually a few minutes after the CNAME resolves (AWS allows up to 72 h)",
    ),
    "aws:rds/clusterSnapshot:ClusterSnapshot": (480, "RDS: a manual cluster snapshot takes minutes, growing with size"),
    "aws:rds/snapshot:Snapshot": (480, "RDS: a manual instance snapshot takes minutes, growing with size"),
    "aws:route53/record:Record": (60, "Route 53: a change is INSYNC within about 60 s; the provider waits for it"),
    "aws:iam/role:Role": (10, "IAM: eventually consistent; the provider retries for a few seconds"),
    "aws:kms/key:Key": (10, "KMS: key creation returns within seconds"),
    "aws:wafv2/webAcl:WebAcl": (20, "WAFv2: web ACL creation returns within seconds"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (10, "WAFv2 logging: seconds"),
    "aws:backup/vault:Vault": (5, "AWS Backup: seconds"),
    "aws:backup/plan:Plan": (5, "AWS Backup: seconds"),
    "aws:s3/bucket:Bucket": (5, "S3: seconds"),
    "aws:elasticache/subnetGroup:SubnetGroup": (5, "ElastiCache: seconds"),
    "kubernetes:networking.k8s.io/v1:Ingress": (
        180,
        "AWS Load Balancer Controller: provisions the ALB; pulumi-kubernetes waits for the load balancer's hostname",
    ),
    "kubernetes:apps/v1:Deployment": (
        150,
        "pulumi-kubernetes waits for the rollout: image pull, startup and readiness of every replica",
    ),
    "kubernetes:batch/v1:Job": (120, "pulumi-kubernetes waits for the migration Job to complete"),
    "kubernetes:external-secrets.io/v1:ExternalSecret": (10, "External Secrets Operator: first sync within seconds"),
}
DEFAULT_SECONDS = (3.0, "API call that returns at once")


@dataclass(frozen=True)
class Node:
    urn: str
    type: str
    custom: bool
    parent: str
    dependencies: tuple[str, ...]  # plain and property dependencies


@dataclass(frozen=True)
class CriticalPath:
    urns: tuple[str, ...]  # in creation order
    seconds: float  # the path's total
    slowest_urn: str
    slowest_seconds: float

    @property
    def ratio(self) -> float:
        """Path time over the slowest resource on it: 1.0 means nothing waits needlessly."""
        return self.seconds / self.slowest_seconds if self.slowest_seconds else 1.0


def creation_seconds(
    type_: str, custom: bool = True, table: Mapping[str, tuple[float, str]] = CREATION_SECONDS
) -> float:
    if not custom:
        return 0.0  # components create nothing themselves
    return table.get(type_, DEFAULT_SECONDS)[0]


def nodes_from(registrations: Iterable) -> list[Node]:
    """Nodes from testing.mocks.Registration records."""
    nodes = []
    for r in registrations:
        deps = list(r.dependencies)
        for urns in r.property_dependencies.values():
            deps += [u for u in urns if u not in deps]
        nodes.append(Node(r.urn, r.type, r.custom, r.parent, tuple(deps)))
    return nodes


def critical_path(nodes: Sequence[Node], table: Mapping[str, tuple[float, str]] = CREATION_SECONDS) -> CriticalPath:
    by_urn = {n.urn: n for n in nodes}
    children: dict[str, list[str]] = {}
    for n in nodes:
        if n.parent:
            children.setdefault(n.parent, []).append(n.urn)

    def expand(urn: str) -> list[str]:
        """A dependency on a component waits for all custom resources inside it."""
        node = by_urn.get(urn)
        if node is None:
            return []
        if node.custom:
            return [urn]
        found: list[str] = []
        for child in children.get(urn, []):
            found += expand(child)
        return found

    waits: dict[str, list[str]] = {}
    for n in nodes:
        if n.custom:
            waits[n.urn] = sorted({d for dep in n.dependencies for d in expand(dep) if d != n.urn})

    finish: dict[str, float] = {}
    previous: dict[str, str | None] = {}

    def finish_time(urn: str, stack: tuple[str, ...] = ()) -> float:
        if urn in finish:
            return finish[urn]
        if urn in stack:
            raise ValueError(f"dependency cycle through {urn}")
        start, before = 0.0, None
        for dep in waits[urn]:
            t = finish_time(dep, stack + (urn,))
            if t > start:
                start, before = t, dep
        finish[urn] = start + creation_seconds(by_urn[urn].type, True, table)
        previous[urn] = before
        return finish[urn]

    if not waits:
        return CriticalPath((), 0.0, "", 0.0)
    end = max(sorted(waits), key=finish_time)  # sorted: ties resolve the same way every run
    path: list[str] = []
    cursor: str | None = end
    while cursor is not None:
        path.append(cursor)
        cursor = previous[cursor]
    path.reverse()
    slowest = max(path, key=lambda u: creation_seconds(by_urn[u].type, True, table))
    return CriticalPath(tuple(path), finish[end], slowest, creation_seconds(by_urn[slowest].type, True, table))
