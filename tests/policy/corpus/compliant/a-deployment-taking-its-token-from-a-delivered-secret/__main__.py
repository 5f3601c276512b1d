"""A restricted Deployment in a restricted namespace, its token from a Secret an ExternalSecret delivers.
The pod spec lives in a sibling module the program imports."""

import pod
import pulumi
import pulumi_kubernetes as k8s

namespace = k8s.core.v1.Namespace(
    "shop", metadata={"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}
)
delivered = k8s.apiextensions.CustomResource(
    "api-env",
    api_version="external-secrets.io/v1",
    kind="ExternalSecret",
    metadata={"name": "api-env", "namespace": namespace.metadata.name},
    spec={"target": {"name": "api-env"}, "secretStoreRef": {"name": "aws", "kind": "ClusterSecretStore"}},
)
k8s.apps.v1.Deployment(
    "api",
    metadata={"name": "api", "namespace": namespace.metadata.name},
    spec=pod.deployment_spec(
        "api",
        "registry.example.com/shop/api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        token_secret="api-env",
    ),
    opts=pulumi.ResourceOptions(depends_on=[delivered]),
)
