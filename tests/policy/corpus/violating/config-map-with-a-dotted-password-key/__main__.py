"""A ConfigMap key in the dotted style of a properties file, holding a password."""

import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap(
    "mailer",
    metadata={"name": "mailer", "namespace": "shop"},
    data={"smtp.host": "smtp.example.com", "smtp.password": "mail-pass-8c1e"},
)
