"""A namespace whose Pod Security admission enforces the privileged level."""

import pulumi_kubernetes as k8s

k8s.core.v1.Namespace(
    "shop",
    metadata={"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "privileged"}},
)
