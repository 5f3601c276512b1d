"""SecretDelivery: Secrets Manager entries -> one Kubernetes Secret, through the External Secrets Operator.

A namespaced SecretStore signs in to AWS as the workload's service account
(its IRSA role), and an ExternalSecret copies each entry into a key of the
Kubernetes Secret the pods read by secretKeyRef. A second delivery may read
through the first one's store (`store_name`). No value passes through the
program, the manifests or the state. The operator (ESO) is a cluster
prerequisite: see docs/secrets.md. What must exist before the first sync (the
entries, their values, the role, the service account) goes in the component's
`depends_on`; the `secret_name` output resolves only after that sync, so pods
that use it wait.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from . import waits
from .inputs import args_of, explicit_dependencies, fill_defaults, filled

API_VERSION = "external-secrets.io/v1"
LABELS = {"app.kubernetes.io/part-of": "objectos"}


@dataclass
class SecretDeliveryArgs:
    """Inputs of SecretDelivery."""

    namespace: pulumi.Input[str]
    """Namespace of the store, the ExternalSecret and the produced Secret (pass AppNamespace's output)."""
    region: str
    """AWS region of the entries."""
    target_secret: str
    """Name of the Kubernetes Secret to produce."""
    keys: Mapping[str, str]
    """Key in the Kubernetes Secret -> Secrets Manager entry name."""
    service_account: Optional[pulumi.Input[str]] = "objectos"
    """Service account whose IRSA role reads the entries (pass AppNamespace.service_account_name)."""
    store_name: Optional[pulumi.Input[str]] = None
    """An existing SecretStore to read through (another delivery's store_name); None: create one."""
    refresh_interval: Optional[str] = "15m"
    """How often ESO re-reads the entries: a filled-in or rotated value arrives within this time."""
    wait_timeout_seconds: Optional[int] = waits.SECRET_SYNC_SECONDS
    """How long `pulumi up` waits for the first sync (the Ready condition) before failing."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class SecretDelivery(pulumi.ComponentResource):
    """A SecretStore and an ExternalSecret that produce the pods' Kubernetes Secret."""

    secret_name: pulumi.Output[str]
    """Name of the produced Kubernetes Secret, known once the first sync is done: pods that use it wait for it."""
    store_name: pulumi.Output[str]
    """The SecretStore the ExternalSecret reads through; pass it to another delivery to share the store."""

    def __init__(self, name: str, args: SecretDeliveryArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:SecretDelivery", name, None, opts)
        args = args_of(SecretDeliveryArgs, args)
        if not args.keys:
            raise ValueError("SecretDelivery needs at least one key to deliver")
        # Either way the store's name resolves once the store exists, so the ExternalSecret waits for it.
        if args.store_name is None:
            store = self._store(name, args)
            store_name, stores = store.metadata.apply(lambda _: store_name_of(args.target_secret)), [store]
        else:
            store_name, stores = pulumi.Output.from_input(args.store_name), []
        external_secret = CustomResource(
            f"{name}-external-secret",
            api_version=API_VERSION,
            kind="ExternalSecret",
            metadata=ObjectMetaArgs(
                name=args.target_secret,
                namespace=args.namespace,
                labels=LABELS,
                # pulumi-kubernetes awaits a custom resource only when asked: `pulumi up` then waits
                # for the first sync, so the pods that use `secret_name` never start without their secrets.
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "refreshInterval": args.refresh_interval,
                "secretStoreRef": {"name": store_name, "kind": "SecretStore"},
                "target": {
                    "name": args.target_secret,
                    "creationPolicy": "Owner",
                    # An entry still empty is skipped rather than failing every key; a pod
                    # that needs it reports the missing key until the operator fills it.
                    "deletionPolicy": "Merge",
                    "template": {"type": "Opaque", "metadata": {"labels": LABELS}},
                },
                "data": [{"secretKey": key, "remoteRef": {"key": entry}} for key, entry in sorted(args.keys.items())],
            },
            # Named on the ExternalSecret too, so the recorded graph shows what the first sync waits for.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*stores, *explicit_dependencies(opts)],
                custom_timeouts=pulumi.CustomTimeouts(
                    create=waits.duration(filled(args.wait_timeout_seconds)),
                    update=waits.duration(filled(args.wait_timeout_seconds)),
                ),
            ),
        )
        # The Secret's name, resolved with the ExternalSecret so that its users wait for the first sync.
        self.secret_name = external_secret.metadata.apply(lambda _: args.target_secret)
        self.store_name = store_name
        self.register_outputs({"secret_name": self.secret_name, "store_name": self.store_name})

    def _store(self, name: str, args: SecretDeliveryArgs) -> CustomResource:
        """A namespaced SecretStore that signs in to AWS as the service account."""
        return CustomResource(
            f"{name}-store",
            api_version=API_VERSION,
            kind="SecretStore",
            metadata=ObjectMetaArgs(name=store_name_of(args.target_secret), namespace=args.namespace, labels=LABELS),
            spec={
                "provider": {
                    "aws": {
                        "service": "SecretsManager",
                        "region": args.region,
                        "auth": {"jwt": {"serviceAccountRef": {"name": args.service_account}}},
                    }
                }
            },
            opts=pulumi.ResourceOptions(parent=self),
        )


def store_name_of(target_secret: str) -> str:
    return f"{target_secret}-store"
