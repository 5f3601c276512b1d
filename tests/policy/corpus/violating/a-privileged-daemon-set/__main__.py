"""A node agent DaemonSet whose container runs privileged."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "node-agent"}

k8s.apps.v1.DaemonSet(
    "node-agent",
    metadata={"name": "node-agent", "namespace": "ops"},
    spec={
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "agent",
                        "image": "registry.example.com/ops/agent@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "securityContext": {**RESTRICTED, "privileged": True},
                    }
                ]
            },
        },
    },
)
