"""ObjectOS on Kubernetes by hand, its image by a tag that moves rather than by digest."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "objectos"}

secret = k8s.core.v1.Secret("objectos-env", metadata={"name": "objectos-env"}, type="Opaque")
k8s.apps.v1.Deployment(
    "objectos",
    metadata={"name": "objectos"},
    spec={
        "replicas": 1,
        "strategy": {"type": "Recreate"},
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "objectos",
                        "image": "ghcr.io/objectstack-ai/objectstack:17.4.0",
                        "securityContext": RESTRICTED,
                        "env": [
                            {"name": "OS_AUTH_URL", "value": "https://app.example.com"},
                            {"name": "OS_CORS_ORIGIN", "value": "https://app.example.com"},
                            {
                                "name": "OS_ARTIFACT_URL",
                                "value": "https://artifacts.example.com/objectstack.json#sha256=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                            },
                            {
                                "name": "OS_AUTH_SECRET",
                                "valueFrom": {"secretKeyRef": {"name": secret.metadata.name, "key": "auth"}},
                            },
                        ],
                    }
                ]
            },
        },
    },
)
