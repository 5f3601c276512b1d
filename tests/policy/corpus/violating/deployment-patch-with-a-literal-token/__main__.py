"""A DeploymentPatch (server-side apply) that sets an API token as a literal env value."""

import pulumi_kubernetes as k8s

k8s.apps.v1.DeploymentPatch(
    "api-patch",
    metadata={"name": "api", "namespace": "shop"},
    spec={
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "api",
                        "image": "registry.example.com/shop/api@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        "env": [{"name": "PAYMENT_API_TOKEN", "value": "tok_live_4f9a1c"}],
                    }
                ]
            }
        }
    },
)
