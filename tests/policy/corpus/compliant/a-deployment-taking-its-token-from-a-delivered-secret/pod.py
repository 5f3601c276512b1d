"""The restricted pod template the program's Deployments share."""

RESTRICTED = {
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def deployment_spec(app, image, token_secret):
    labels = {"app": app}
    env = [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "PAYMENT_API_TOKEN", "valueFrom": {"secretKeyRef": {"name": token_secret, "key": "token"}}},
    ]
    container = {"name": app, "image": image, "securityContext": RESTRICTED, "env": env}
    return {
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
    }
