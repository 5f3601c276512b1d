"""A bare Pod whose container runs as user 0."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}

k8s.core.v1.Pod(
    "debug",
    metadata={"name": "debug"},
    spec={
        "containers": [
            {
                "name": "shell",
                "image": "registry.example.com/ops/shell@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "securityContext": {**RESTRICTED, "runAsNonRoot": False, "runAsUser": 0},
            }
        ]
    },
)
