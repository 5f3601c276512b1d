"""ObjectOsWorkload: the ObjectOS runtime on Kubernetes.

A migration Job the Deployment waits on, the Deployment, its Service, a
PodDisruptionBudget and a HorizontalPodAutoscaler, run as the given service
account (or one of its own), in a namespace whose traffic is denied by default
and allowed only where ObjectOS needs it (NetworkPolicies). Secret values never appear here: every secret env
var is a `secretKeyRef` into the Kubernetes Secret that the secrets component
produces. The migration Job reads only what a migration needs, so it waits for
the release's pre-migration snapshot and for that Secret alone (pass
SecretDelivery.secret_name, which resolves after the first sync).
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.autoscaling.v2 import (
    CrossVersionObjectReferenceArgs,
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerSpecArgs,
    MetricSpecArgs,
    MetricTargetArgs,
    ResourceMetricSourceArgs,
)
from pulumi_kubernetes.batch.v1 import Job, JobSpecArgs
from pulumi_kubernetes.core.v1 import (
    CapabilitiesArgs,
    ContainerArgs,
    ContainerPortArgs,
    EmptyDirVolumeSourceArgs,
    EnvVarArgs,
    EnvVarSourceArgs,
    HTTPGetActionArgs,
    PodSecurityContextArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ProbeArgs,
    ResourceRequirementsArgs,
    SeccompProfileArgs,
    SecretKeySelectorArgs,
    SecurityContextArgs,
    Service,
    ServiceAccount,
    ServicePortArgs,
    ServiceSpecArgs,
    TopologySpreadConstraintArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    IPBlockArgs,
    NetworkPolicy,
    NetworkPolicyEgressRuleArgs,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
)
from pulumi_kubernetes.policy.v1 import PodDisruptionBudget, PodDisruptionBudgetSpecArgs

from objectos_core import editions

from . import waits
from .inputs import args_of, fill_defaults, filled
from .secret_catalog import MIGRATION_READS

PORT = 8080
RUNTIME_UID = 1000  # user `node` in the ObjectOS image
LIVENESS_PATH = "/api/v1/health"
READINESS_PATH = "/api/v1/ready"
SNAPSHOT_ANNOTATION = "objectos.dev/pre-migration-snapshot"
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")  # RFC 1918: inside the VPC
ANYWHERE = ("0.0.0.0/0",)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}  # CoreDNS on EKS keeps the kube-dns label


@dataclass
class WorkloadArgs:
    """Inputs of ObjectOsWorkload."""

    namespace: pulumi.Input[str]
    """Kubernetes namespace (see AppNamespace); pass its output so children wait for it."""
    public_url: str
    """https://<domain>: OS_AUTH_URL, the base of auth callbacks and cookies."""
    cors_origins: Sequence[str]
    """Explicit origins for OS_CORS_ORIGIN and OS_TRUSTED_ORIGINS."""
    image: pulumi.Input[str]
    """The runtime image; set only through the paired release."""
    artifact_url: pulumi.Input[str]
    """OS_ARTIFACT_URL with its #sha256= pin; set only through the paired release."""
    release_id: str
    """Release id: labels the pods and names the migration Job."""
    secret_name: pulumi.Input[str]
    """Kubernetes Secret holding the env secrets (produced from the secret store)."""
    secret_env: Mapping[str, str]
    """Env var name -> key in `secret_name`, delivered by secretKeyRef."""
    replicas: Optional[int] = 2
    """Minimum replicas, the autoscaler's floor."""
    max_replicas: Optional[int] = 6
    """Autoscaler ceiling."""
    cors_credentials: Optional[bool] = True
    """OS_CORS_CREDENTIALS."""
    cors_max_age_seconds: Optional[int] = 600
    """OS_CORS_MAX_AGE."""
    cluster_driver: Optional[str] = None
    """OS_CLUSTER_DRIVER ("redis" for more than one pod) for the server pods; OS_REDIS_URL goes in server_secret_env."""
    server_secret_name: Optional[pulumi.Input[str]] = None
    """Kubernetes Secret with env only the server pods read (e.g. OS_REDIS_URL); the migration Job never waits for it."""
    server_secret_env: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Env var name -> key in `server_secret_name`, delivered by secretKeyRef to the server pods only."""
    cpu_request: Optional[str] = "500m"
    """CPU each pod is guaranteed (Kubernetes quantity)."""
    memory_request: Optional[str] = "1Gi"
    """Memory each pod is guaranteed (Kubernetes quantity)."""
    cpu_limit: Optional[str] = "2"
    """CPU a pod may use at most."""
    memory_limit: Optional[str] = "2Gi"
    """Memory a pod may use at most; above it the pod is restarted."""
    service_account_annotations: Optional[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Annotations on the account the workload creates (e.g. the IRSA role); unused with service_account_name."""
    service_account_name: Optional[pulumi.Input[str]] = None
    """The pods' existing service account (AppNamespace.service_account_name); None: the workload creates its own."""
    optional_secret_env: Optional[Sequence[str]] = field(default_factory=list)
    """Secret env vars the runtime starts without (filled out of band): optional refs, so an empty entry blocks no pod."""
    extra_env: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Plain, non-secret env vars."""
    pre_migration_snapshot: Optional[pulumi.Input[str]] = None
    """Snapshot the migration Job waits for and names in an annotation (PinnedRelease.snapshot_identifier)."""
    name: Optional[str] = "objectos"
    """Name of the Deployment, Service and friends."""
    edition: Optional[str] = None
    """Runtime edition the image runs: open (one pod) or licensed (multi-node); None: inferred from the image
    (the open image's repository means open; any other image must say)."""
    migration_deadline_seconds: Optional[int] = waits.MIGRATION_DEADLINE_SECONDS
    """The migration Job's activeDeadlineSeconds; `pulumi up` waits this long plus a margin."""
    progress_deadline_seconds: Optional[int] = waits.PROGRESS_DEADLINE_SECONDS
    """The Deployment's progressDeadlineSeconds: each wave of new pods must be ready within it."""
    network_policy: Optional[bool] = True
    """Deny all traffic of the namespace's pods by default, then allow only the flows below; False: leave it open."""
    ingress_cidrs: Optional[Sequence[str]] = PRIVATE_RANGES
    """Where the edge reaches the pods on the app port: the ALB's subnets (IP targets); narrow to the VPC's CIDR."""
    ingress_namespaces: Optional[Sequence[str]] = field(default_factory=list)
    """Namespaces of an in-cluster ingress controller also admitted on the app port."""
    database_cidrs: Optional[Sequence[str]] = PRIVATE_RANGES
    """Where the database is (the pods connect out on database_port); narrow to the database subnets."""
    database_port: Optional[int] = 5432
    """The database's port."""
    redis_cidrs: Optional[Sequence[str]] = PRIVATE_RANGES
    """Where Redis is, when a cluster driver is set (the pods connect out on redis_port)."""
    redis_port: Optional[int] = 6379
    """Redis's port."""
    https_cidrs: Optional[Sequence[str]] = ANYWHERE
    """Where the pods may reach HTTPS (443): AWS APIs, the artifact host, the control plane."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if self.edition is None:
            inferred = editions.inferred_edition(self.image) if isinstance(self.image, str) else None
            if inferred is None:
                raise ValueError(
                    "WorkloadArgs.edition: say which runtime edition the image runs (open or licensed); "
                    f"only the open image {editions.OPEN_IMAGE_REPOSITORY} is recognised by its name"
                )
            self.edition = inferred
        for problem in topology_problems(self):
            raise ValueError(f"WorkloadArgs: {problem}")
        if self.service_account_name is not None and self.service_account_annotations:
            raise ValueError(
                "WorkloadArgs.service_account_annotations applies to the account the workload creates: "
                "annotate the account given in service_account_name where it is made"
            )


def topology_problems(args: WorkloadArgs) -> list[str]:
    """Why the runtime edition would refuse to boot these pods, or run them split-brained."""
    most = max(filled(args.replicas), filled(args.max_replicas))
    if args.edition not in editions.EDITIONS:
        return [f"edition is '{args.edition}'; use open or licensed"]
    if args.edition == editions.OPEN:
        if most > 1:
            return [
                f"the open edition runs one pod, but replicas {args.replicas} / max_replicas {args.max_replicas} "
                f"allow {most}: multi-node is licensed; {editions.FIX_MULTI_NODE}"
            ]
        if args.cluster_driver:
            return ["the open edition has no remote cluster driver; leave cluster_driver unset"]
        return []
    if most > 1 and args.cluster_driver != editions.REMOTE_DRIVER:
        return [f"{most} pods need cluster_driver 'redis' (OS_CLUSTER_DRIVER), or each pod runs as if alone"]
    if args.cluster_driver:
        if editions.REDIS_URL not in (args.server_secret_env or {}):
            return [f"cluster_driver '{args.cluster_driver}' needs {editions.REDIS_URL} in server_secret_env"]
        if editions.SECRET_KEY not in args.secret_env:
            return [f"a cluster driver other than memory makes {editions.SECRET_KEY} mandatory; add it to secret_env"]
    return []


def single_pod(args: WorkloadArgs) -> bool:
    """One pod at most: no autoscaler, and rollouts replace the pod rather than surge beside it."""
    return max(filled(args.replicas), filled(args.max_replicas)) <= 1


def migration_job_name(name: str, release_id: str) -> str:
    """One Job per release: a new release runs its migration exactly once."""
    return f"{name}-migrate-{hashlib.sha256(release_id.encode()).hexdigest()[:10]}"


def plain_env(args: WorkloadArgs, migrate: bool = False) -> dict[str, str]:
    """The non-secret environment the runtime reads (see the runtime reference).

    The migration Job runs once, alone, and exits: it joins no cluster, so it needs
    neither the cluster driver nor Redis and need not wait for them.
    """
    origins = ",".join(args.cors_origins)
    env = {
        "OS_PORT": str(PORT),
        "OS_AUTH_URL": args.public_url,
        "OS_CORS_ENABLED": "true",
        "OS_CORS_ORIGIN": origins,
        "OS_TRUSTED_ORIGINS": origins,
        "OS_CORS_CREDENTIALS": "true" if args.cors_credentials else "false",
        "OS_CORS_MAX_AGE": str(args.cors_max_age_seconds),
        "OS_LOG_LEVEL": "info",
        "OS_OBS_EXPORTER": "json",
    }
    if args.cluster_driver and not migrate:
        env["OS_CLUSTER_DRIVER"] = args.cluster_driver
        env["OS_CLUSTER_REPLICAS"] = str(args.replicas)
    env.update(filled(args.extra_env))
    return env


def secret_refs(args: WorkloadArgs, migrate: bool = False) -> list[tuple[str, pulumi.Input[str], str, bool]]:
    """(env var, Secret, key, optional) for each secret the container reads, by env var.

    The migration Job requires only what a migration reads, so it waits for no
    value filled out of band (those it may still read, e.g. the control-plane key
    that fetches a cloud artifact, stay optional), nor for the server-only Secret.
    """
    optional = set(filled(args.optional_secret_env))
    refs = [(var, args.secret_name, key) for var, key in args.secret_env.items()]
    if migrate:
        refs = [ref for ref in refs if ref[0] in MIGRATION_READS or ref[0] in optional]
    elif args.server_secret_name is not None:
        refs += [(var, args.server_secret_name, key) for var, key in filled(args.server_secret_env).items()]
    return [(var, secret, key, var in optional) for var, secret, key in sorted(refs, key=lambda ref: ref[0])]


class ObjectOsWorkload(pulumi.ComponentResource):
    """The ObjectOS runtime: migration Job, Deployment, Service, PDB and HPA."""

    namespace: pulumi.Output[str]
    """The workload's namespace."""
    service_name: pulumi.Output[str]
    """ClusterIP Service in front of the pods (port 80 -> 8080)."""
    service_account_name: pulumi.Output[str]
    """The pods' service account."""
    deployment_name: pulumi.Output[str]
    """The Deployment."""
    migration_job_name: pulumi.Output[str]
    """This release's migration Job."""

    def __init__(self, name: str, args: WorkloadArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:ObjectOsWorkload", name, None, opts)
        args = args_of(WorkloadArgs, args)
        labels = {"app.kubernetes.io/name": filled(args.name), "app.kubernetes.io/part-of": "objectos"}
        # The edition label tells the policy pack which topologies these pods may take.
        pod_labels = {
            **labels,
            "objectos.dev/release": _label_value(args.release_id),
            editions.EDITION_LABEL: args.edition,
        }

        in_ns = pulumi.ResourceOptions(parent=self)
        ns_name = pulumi.Output.from_input(args.namespace)

        account_name = args.service_account_name
        if account_name is None:
            account_name = ServiceAccount(
                f"{name}-sa",
                metadata=ObjectMetaArgs(
                    name=args.name,
                    namespace=ns_name,
                    labels=labels,
                    annotations=dict(filled(args.service_account_annotations)),
                ),
                automount_service_account_token=False,
                opts=in_ns,
            ).metadata.name

        container = self._container(args)
        job_wait = waits.job_timeout_seconds(filled(args.migration_deadline_seconds))
        one_pod = single_pod(args)
        # Updated at the autoscaler's ceiling, a rollout replaces that many pods, wave by wave.
        rollout_wait = waits.deployment_timeout_seconds(
            max(filled(args.replicas), filled(args.max_replicas)),
            filled(args.progress_deadline_seconds),
            100 if one_pod else waits.MAX_SURGE_PERCENT,
        )
        strategy = (
            # One pod at a time: a surge pod would be a second node, which the open edition cannot coordinate.
            k8s.apps.v1.DeploymentStrategyArgs(type="Recreate")
            if one_pod
            else k8s.apps.v1.DeploymentStrategyArgs(
                type="RollingUpdate",
                rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                    max_surge=f"{waits.MAX_SURGE_PERCENT}%", max_unavailable=0
                ),
            )
        )
        job = Job(
            f"{name}-migrate",
            metadata=ObjectMetaArgs(
                name=migration_job_name(filled(args.name), args.release_id),
                namespace=ns_name,
                labels=pod_labels,
                # The restore point if this migration must be undone; the Job waits for it to exist.
                annotations=_snapshot_annotation(args.pre_migration_snapshot),
            ),
            spec=JobSpecArgs(
                backoff_limit=2,
                active_deadline_seconds=args.migration_deadline_seconds,
                ttl_seconds_after_finished=7 * 24 * 3600,
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(labels={**pod_labels, "objectos.dev/role": "migrate"}),
                    spec=self._pod_spec(args, account_name, self._container(args, migrate=True), restart="Never"),
                ),
            ),
            # The wait outlasts the deadline: Kubernetes, not the provider's 10-minute default, fails a migration.
            opts=pulumi.ResourceOptions(parent=self, custom_timeouts=_timeouts(job_wait)),
        )

        deployment = Deployment(
            f"{name}-deployment",
            metadata=ObjectMetaArgs(name=args.name, namespace=ns_name, labels=pod_labels),
            # No replicas with an HPA: it owns the count, and a pinned one would scale the pods back
            # to the floor on every update of the Deployment. One pod has no HPA.
            spec=DeploymentSpecArgs(
                replicas=1 if one_pod else None,
                selector=LabelSelectorArgs(match_labels=labels),
                strategy=strategy,
                progress_deadline_seconds=args.progress_deadline_seconds,
                template=PodTemplateSpecArgs(
                    metadata=ObjectMetaArgs(labels={**pod_labels, "objectos.dev/role": "server"}),
                    spec=self._pod_spec(args, account_name, container, restart="Always", spread_labels=labels),
                ),
            ),
            # The Deployment waits for this release's migration to finish.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[job], custom_timeouts=_timeouts(rollout_wait)),
        )

        service = Service(
            f"{name}-service",
            metadata=ObjectMetaArgs(name=args.name, namespace=ns_name, labels=labels),
            spec=ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[ServicePortArgs(name="http", port=80, target_port="http", protocol="TCP")],
            ),
            opts=in_ns,
        )

        PodDisruptionBudget(
            f"{name}-pdb",
            metadata=ObjectMetaArgs(name=args.name, namespace=ns_name, labels=labels),
            spec=PodDisruptionBudgetSpecArgs(max_unavailable=1, selector=LabelSelectorArgs(match_labels=labels)),
            opts=in_ns,
        )

        if not one_pod:  # one pod has nothing to scale
            HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=ObjectMetaArgs(name=args.name, namespace=ns_name, labels=labels),
                spec=HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=CrossVersionObjectReferenceArgs(
                        # The name is known up front: waiting for the Deployment's rollout would serialize the HPA behind it.
                        api_version="apps/v1",
                        kind="Deployment",
                        name=args.name,
                    ),
                    min_replicas=args.replicas,
                    max_replicas=max(filled(args.max_replicas), filled(args.replicas)),
                    metrics=[
                        MetricSpecArgs(
                            type="Resource",
                            resource=ResourceMetricSourceArgs(
                                name="cpu", target=MetricTargetArgs(type="Utilization", average_utilization=70)
                            ),
                        )
                    ],
                ),
                opts=in_ns,
            )

        if args.network_policy:
            self._network_policies(name, args, ns_name, labels, in_ns)

        self.namespace = ns_name
        self.service_name = service.metadata.name
        self.service_account_name = pulumi.Output.from_input(account_name)
        self.deployment_name = deployment.metadata.name
        self.migration_job_name = job.metadata.name
        self.register_outputs(
            {
                "namespace": self.namespace,
                "service_name": self.service_name,
                "service_account_name": self.service_account_name,
                "deployment_name": self.deployment_name,
                "migration_job_name": self.migration_job_name,
            }
        )

    @staticmethod
    def _network_policies(
        name: str, args: WorkloadArgs, namespace: pulumi.Output[str], labels: dict, opts: pulumi.ResourceOptions
    ) -> None:
        """Default deny for every pod of the namespace, then the flows the runtime and its migration need."""
        NetworkPolicy(
            f"{name}-default-deny",
            metadata=ObjectMetaArgs(name=f"{args.name}-default-deny", namespace=namespace, labels=labels),
            spec=NetworkPolicySpecArgs(pod_selector=LabelSelectorArgs(), policy_types=["Ingress", "Egress"]),
            opts=opts,
        )
        NetworkPolicy(
            f"{name}-allow",
            metadata=ObjectMetaArgs(name=args.name, namespace=namespace, labels=labels),
            spec=NetworkPolicySpecArgs(
                pod_selector=LabelSelectorArgs(match_labels=labels),
                policy_types=["Ingress", "Egress"],
                ingress=[NetworkPolicyIngressRuleArgs(from_=edge_peers(args), ports=[_tcp(PORT)])],
                egress=allowed_egress(args),
            ),
            opts=opts,
        )

    @staticmethod
    def _container(args: WorkloadArgs, migrate: bool = False) -> ContainerArgs:
        env = [EnvVarArgs(name=key, value=value) for key, value in plain_env(args, migrate).items()]
        env.append(EnvVarArgs(name="OS_ARTIFACT_URL", value=args.artifact_url))
        env += [
            EnvVarArgs(
                name=var,
                value_from=EnvVarSourceArgs(
                    secret_key_ref=SecretKeySelectorArgs(name=secret, key=key, optional=True if optional else None)
                ),
            )
            for var, secret, key, optional in secret_refs(args, migrate)
        ]
        if migrate:
            env.append(EnvVarArgs(name="OS_MIGRATE_AND_EXIT", value="1"))
        probes = {}
        if not migrate:
            probes = dict(
                liveness_probe=ProbeArgs(
                    http_get=HTTPGetActionArgs(path=LIVENESS_PATH, port="http"),
                    initial_delay_seconds=10,
                    period_seconds=10,
                    timeout_seconds=3,
                    failure_threshold=3,
                ),
                readiness_probe=ProbeArgs(
                    http_get=HTTPGetActionArgs(path=READINESS_PATH, port="http"),
                    period_seconds=5,
                    timeout_seconds=3,
                    failure_threshold=3,
                ),
                startup_probe=ProbeArgs(
                    http_get=HTTPGetActionArgs(path=LIVENESS_PATH, port="http"),
                    period_seconds=5,
                    failure_threshold=60,
                ),
                ports=[ContainerPortArgs(name="http", container_port=PORT, protocol="TCP")],
            )
        return ContainerArgs(
            name="migrate" if migrate else "objectos",
            image=args.image,
            image_pull_policy="IfNotPresent",
            env=env,
            resources=ResourceRequirementsArgs(
                requests={"cpu": args.cpu_request, "memory": args.memory_request},
                limits={"cpu": args.cpu_limit, "memory": args.memory_limit},
            ),
            security_context=SecurityContextArgs(
                run_as_non_root=True,
                run_as_user=RUNTIME_UID,
                run_as_group=RUNTIME_UID,
                read_only_root_filesystem=True,
                allow_privilege_escalation=False,
                privileged=False,
                capabilities=CapabilitiesArgs(drop=["ALL"]),
            ),
            volume_mounts=[VolumeMountArgs(name="tmp", mount_path="/tmp")],
            **probes,
        )

    @staticmethod
    def _pod_spec(
        args: WorkloadArgs,
        account_name: pulumi.Input[str],
        container: ContainerArgs,
        restart: str,
        spread_labels: Optional[Mapping[str, str]] = None,
    ) -> PodSpecArgs:
        spread = None
        if spread_labels:
            spread = [
                TopologySpreadConstraintArgs(
                    max_skew=1,
                    topology_key=key,
                    when_unsatisfiable="ScheduleAnyway",
                    label_selector=LabelSelectorArgs(match_labels=dict(spread_labels)),
                )
                for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
            ]
        return PodSpecArgs(
            service_account_name=account_name,
            automount_service_account_token=False,
            restart_policy=restart,
            termination_grace_period_seconds=30,
            security_context=PodSecurityContextArgs(
                run_as_non_root=True,
                run_as_user=RUNTIME_UID,
                run_as_group=RUNTIME_UID,
                fs_group=RUNTIME_UID,
                seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"),
            ),
            containers=[container],
            volumes=[VolumeArgs(name="tmp", empty_dir=EmptyDirVolumeSourceArgs(size_limit="256Mi"))],
            topology_spread_constraints=spread,
        )


def _tcp(port: int) -> NetworkPolicyPortArgs:
    return NetworkPolicyPortArgs(protocol="TCP", port=port)


def _cidrs(cidrs: Sequence[str]) -> list[NetworkPolicyPeerArgs]:
    return [NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in cidrs]


def edge_peers(args: WorkloadArgs) -> list[NetworkPolicyPeerArgs]:
    """Who may reach the app port: the edge's addresses and the ingress controllers' namespaces."""
    namespaces = [
        NetworkPolicyPeerArgs(namespace_selector=LabelSelectorArgs(match_labels={NAMESPACE_NAME_LABEL: namespace}))
        for namespace in filled(args.ingress_namespaces)
    ]
    return [*_cidrs(filled(args.ingress_cidrs)), *namespaces]


def allowed_egress(args: WorkloadArgs) -> list[NetworkPolicyEgressRuleArgs]:
    """DNS, the database, Redis (with a cluster driver) and HTTPS: all the runtime connects to."""
    dns = NetworkPolicyPeerArgs(
        namespace_selector=LabelSelectorArgs(match_labels={NAMESPACE_NAME_LABEL: DNS_NAMESPACE}),
        pod_selector=LabelSelectorArgs(match_labels=DNS_POD_LABELS),
    )
    rules = [
        NetworkPolicyEgressRuleArgs(
            to=[dns], ports=[NetworkPolicyPortArgs(protocol=p, port=53) for p in ("UDP", "TCP")]
        ),
        NetworkPolicyEgressRuleArgs(to=_cidrs(filled(args.database_cidrs)), ports=[_tcp(filled(args.database_port))]),
    ]
    if args.cluster_driver:
        rules.append(
            NetworkPolicyEgressRuleArgs(to=_cidrs(filled(args.redis_cidrs)), ports=[_tcp(filled(args.redis_port))])
        )
    rules.append(NetworkPolicyEgressRuleArgs(to=_cidrs(filled(args.https_cidrs)), ports=[_tcp(443)]))
    return rules


def _timeouts(seconds: int) -> pulumi.CustomTimeouts:
    return pulumi.CustomTimeouts(create=waits.duration(seconds), update=waits.duration(seconds))


def _snapshot_annotation(snapshot: Optional[pulumi.Input[str]]) -> Optional[dict[str, pulumi.Input[str]]]:
    return {SNAPSHOT_ANNOTATION: snapshot} if snapshot is not None else None


def _label_value(value: str) -> str:
    """Kubernetes label values: 63 chars of [A-Za-z0-9._-], alphanumeric at both ends."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in value)[:63]
    return cleaned.strip("._-") or "none"
