"""A Deployment taking its token from a Secret that nothing in the stack creates."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "api"}

k8s.apps.v1.Deployment(
    "api",
    metadata={"name": "api"},
    spec={
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "api",
                        "image": "registry.example.com/shop/api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "securityContext": RESTRICTED,
                        "env": [
                            {
                                "name": "PAYMENT_API_TOKEN",
                                "valueFrom": {"secretKeyRef": {"name": "payment", "key": "token"}},
                            }
                        ],
                    }
                ]
            },
        },
    },
)
