"""A Kubernetes Secret whose data the program writes in plain text."""

import pulumi_kubernetes as k8s

k8s.core.v1.Secret("smtp", metadata={"name": "smtp", "namespace": "shop"}, string_data={"password": "s3cr3t-smtp-pass"})
