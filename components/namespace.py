"""AppNamespace: the Kubernetes namespace ObjectOS runs in, under the restricted Pod Security Standard.

It also holds the workload's service account, so that the account exists before
both its users: the secret store that signs in to AWS as it (IRSA) and the pods
that run as it. One name then serves the IAM role's trust, the store and the pods.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
from pulumi_kubernetes.core.v1 import Namespace, ServiceAccount
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from .inputs import args_of, fill_defaults, filled

POD_SECURITY_LEVEL = "restricted"
WORKLOAD_TYPE = "objectos:index:ObjectOsWorkload"


@dataclass
class AppNamespaceArgs:
    """Inputs of AppNamespace."""

    name: str
    """Namespace name."""
    service_account: Optional[str] = None
    """Name of the workload's service account to create here (the IRSA subject); None: no account."""
    service_account_annotations: Optional[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Annotations on the service account, e.g. eks.amazonaws.com/role-arn from AppSecrets.workload_role_arn."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        if self.service_account_annotations and self.service_account is None:
            raise ValueError("AppNamespaceArgs.service_account_annotations needs a service_account to annotate")


class AppNamespace(pulumi.ComponentResource):
    """A namespace whose pods must meet the restricted Pod Security Standard, and the workload's service account."""

    name: pulumi.Output[str]
    """The namespace's name, known once it exists (depend on it to order children)."""
    namespace: Namespace
    """The namespace resource, for depends_on."""
    service_account_name: Optional[pulumi.Output[str]]
    """The service account's name, known once it exists; None without one."""
    service_account: Optional[ServiceAccount]
    """The service account resource, for depends_on; None without one."""

    def __init__(self, name: str, args: AppNamespaceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:AppNamespace", name, None, opts)
        args = args_of(AppNamespaceArgs, args)
        enforce = {f"pod-security.kubernetes.io/{mode}": POD_SECURITY_LEVEL for mode in ("enforce", "audit", "warn")}
        self.namespace = Namespace(
            f"{name}-ns",
            metadata=ObjectMetaArgs(name=args.name, labels={"app.kubernetes.io/part-of": "objectos", **enforce}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name = self.namespace.metadata.name

        self.service_account = None
        self.service_account_name = None
        if args.service_account is not None:
            labels = {"app.kubernetes.io/name": args.service_account, "app.kubernetes.io/part-of": "objectos"}
            self.service_account = ServiceAccount(
                f"{name}-sa",
                metadata=ObjectMetaArgs(
                    name=args.service_account,
                    namespace=self.name,
                    labels=labels,
                    annotations=dict(filled(args.service_account_annotations)) or None,
                ),
                # The pods mount no API token; ESO requests its own token for the account.
                automount_service_account_token=False,
                # Package 0.1.0 made the account inside the ObjectOsWorkload of the same name:
                # the alias adopts that account instead of replacing it.
                opts=pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(parent=pulumi.create_urn(name, WORKLOAD_TYPE))]
                ),
            )
            self.service_account_name = self.service_account.metadata.name
        self.register_outputs({"name": self.name, "service_account_name": self.service_account_name})
