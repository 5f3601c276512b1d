"""A Deployment given a database URL with the password inside it."""

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
                        "env": [{"name": "ORDERS_DB", "value": "postgres://orders:pa55word@db.internal:5432/orders"}],
                    }
                ]
            },
        },
    },
)
