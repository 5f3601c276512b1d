"""A CronJob whose container may escalate privileges."""

import pulumi_kubernetes as k8s

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}

k8s.batch.v1.CronJob(
    "nightly-report",
    metadata={"name": "nightly-report"},
    spec={
        "schedule": "0 3 * * *",
        "job_template": {
            "spec": {
                "template": {
                    "spec": {
                        "restart_policy": "Never",
                        "containers": [
                            {
                                "name": "report",
                                "image": "registry.example.com/shop/report@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                "securityContext": {**RESTRICTED, "allowPrivilegeEscalation": True},
                            }
                        ],
                    }
                }
            }
        },
    },
)
