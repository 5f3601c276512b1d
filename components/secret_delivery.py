"""SecretDelivery: Secrets Manager entries -> one Kubernetes Secret, through the External Secrets Operator.

A namespaced SecretStore signs in to AWS as the workload's service account
(its IRSA role), and an ExternalSecret copies each entry into a key of the
Kubernetes Secret the pods read by secretKeyRef. No value passes through the
program, the manifests or the state. The operator (ESO) is a cluster
prerequisite: see docs/secrets.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

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
    service_account: str = "objectos"
    """Service account whose IRSA role reads the entries (annotated with eks.amazonaws.com/role-arn)."""
    refresh_interval: str = "15m"
    """How often ESO re-reads the entries: a filled-in or rotated value arrives within this time."""
    wait_timeout_seconds: int = 600
    """How long `pulumi up` waits for the first sync before failing."""
    wait_for: Sequence[pulumi.Resource] = field(default_factory=list)
    """Resources that must exist before the first sync (the entries, their values, the role)."""


class SecretDelivery(pulumi.ComponentResource):
    """A SecretStore and an ExternalSecret that produce the pods' Kubernetes Secret."""

    external_secret: CustomResource
    """The ExternalSecret; depend on it so pods start after the first sync."""
    secret_name: pulumi.Output[str]
    """Name of the produced Kubernetes Secret."""

    def __init__(self, name: str, args: SecretDeliveryArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:SecretDelivery", name, None, opts)
        if not args.keys:
            raise ValueError("SecretDelivery needs at least one key to deliver")
        store_name = f"{args.target_secret}-store"
        store = CustomResource(
            f"{name}-store",
            api_version=API_VERSION,
            kind="SecretStore",
            metadata=ObjectMetaArgs(name=store_name, namespace=args.namespace, labels=LABELS),
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
        self.external_secret = CustomResource(
            f"{name}-external-secret",
            api_version=API_VERSION,
            kind="ExternalSecret",
            metadata=ObjectMetaArgs(
                name=args.target_secret,
                namespace=args.namespace,
                labels=LABELS,
                annotations={
                    # `pulumi up` waits for the first sync, so pods never start without their secrets.
                    "pulumi.com/waitFor": "condition=Ready",
                    "pulumi.com/timeoutSeconds": str(args.wait_timeout_seconds),
                },
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
                "data": [
                    {"secretKey": key, "remoteRef": {"key": entry}} for key, entry in sorted(args.keys.items())
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[store, *args.wait_for]),
        )
        self.secret_name = pulumi.Output.from_input(args.target_secret)
        self.register_outputs({"secret_name": self.secret_name})
