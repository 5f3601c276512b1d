"""ObjectOS run by hand: OS_AUTH_SECRET comes from a ConfigMap, which is not a secret store."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "objectos"}

config = k8s.core.v1.ConfigMap("objectos-config", metadata={"name": "objectos-config"}, data={"auth": "x" * 48})
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
                        "image": "ghcr.io/objectstack-ai/objectstack@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "securityContext": RESTRICTED,
                        "env": [
                            {"name": "OS_AUTH_URL", "value": "https://app.example.com"},
                            {"name": "OS_CORS_ORIGIN", "value": "https://app.example.com"},
                            {"name": "OS_ARTIFACT_PATH", "value": "/app/artifact"},
                            {
                                "name": "OS_AUTH_SECRET",
                                "valueFrom": {"configMapKeyRef": {"name": config.metadata.name, "key": "auth"}},
                            },
                        ],
                    }
                ]
            },
        },
    },
)
