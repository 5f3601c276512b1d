"""AppNamespace: the Kubernetes namespace ObjectOS runs in, under the restricted Pod Security Standard."""

from dataclasses import dataclass
from typing import Optional

import pulumi
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from .inputs import args_of

POD_SECURITY_LEVEL = "restricted"


@dataclass
class AppNamespaceArgs:
    """Inputs of AppNamespace."""

    name: str
    """Namespace name."""


class AppNamespace(pulumi.ComponentResource):
    """A namespace whose pods must meet the restricted Pod Security Standard."""

    name: pulumi.Output[str]
    """The namespace's name, known once it exists (depend on it to order children)."""
    namespace: Namespace
    """The namespace resource, for depends_on."""

    def __init__(self, name: str, args: AppNamespaceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:AppNamespace", name, None, opts)
        args = args_of(AppNamespaceArgs, args)
        enforce = {
            f"pod-security.kubernetes.io/{mode}": POD_SECURITY_LEVEL for mode in ("enforce", "audit", "warn")
        }
        self.namespace = Namespace(
            f"{name}-ns",
            metadata=ObjectMetaArgs(name=args.name, labels={"app.kubernetes.io/part-of": "objectos", **enforce}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name = self.namespace.metadata.name
        self.register_outputs({"name": self.name})
