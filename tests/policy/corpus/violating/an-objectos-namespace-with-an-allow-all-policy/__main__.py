"""ObjectOS in namespace crm, whose default deny is undone by a NetworkPolicy with empty rules
(allow all ingress and all egress)."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
labels = {"app": "objectos"}

k8s.networking.v1.NetworkPolicy(
    "deny-all",
    metadata={"name": "deny-all", "namespace": "crm"},
    spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]},
)
k8s.networking.v1.NetworkPolicy(
    "allow-everything",
    metadata={"name": "allow-everything", "namespace": "crm"},
    spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]},
)
k8s.apps.v1.Deployment(
    "objectos",
    metadata={"name": "objectos", "namespace": "crm"},
    spec={
        "replicas": 1,
        "strategy": {"type": "Recreate"},
        "selector": {"match_labels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "objectos",
                        "image": "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64,
                        "security_context": RESTRICTED,
                    }
                ]
            },
        },
    },
)
