"""A DeploymentPatch that only sets a container's resources: a partial object, judged as one."""

import pulumi_kubernetes as k8s

k8s.apps.v1.DeploymentPatch(
    "api-resources",
    metadata={"name": "api", "namespace": "shop"},
    spec={
        "template": {
            "spec": {"containers": [{"name": "api", "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}}}]}
        }
    },
)
