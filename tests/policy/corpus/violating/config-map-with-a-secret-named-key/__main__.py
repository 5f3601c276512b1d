"""A ConfigMap holding a key named like a secret."""

import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap(
    "api-settings",
    metadata={"name": "api-settings", "namespace": "shop"},
    data={"LOG_LEVEL": "info", "SMTP_PASSWORD": "mail-pass-8c1e"},
)
