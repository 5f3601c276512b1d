"""A StatefulSet running under a service account nothing in the stack creates."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "queue"}

k8s.apps.v1.StatefulSet(
    "queue",
    metadata={"name": "queue"},
    spec={
        "service_name": "queue",
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "service_account_name": "queue-runner",
                "containers": [
                    {
                        "name": "queue",
                        "image": "registry.example.com/shop/queue@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "securityContext": RESTRICTED,
                    }
                ],
            },
        },
    },
)
