"""Settings for a program run by the Pulumi engine (`pulumi up` / `pulumi preview`)."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from settings.errors import SettingsError
from settings.load import from_engine, validate
from settings.model import Settings


def _engine_config() -> dict[str, str]:
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def aws_provider_config() -> dict[str, str]:
    """The stack's `aws:*` configuration, as the engine hands it to the default AWS provider.

    An explicit provider (the kit's us-east-1 one) takes these too, or it silently drops
    the profile, the roles to assume and the account guards (components/aws_provider.py).
    """
    return {key: value for key, value in _engine_config().items() if key.startswith("aws:")}


def engine_settings() -> Settings:
    """Validate the stack's configuration; a mistake ends the run with a clean RunError."""
    values = _engine_config()
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | set(runtime_config._SECRET_KEYS.get())
    try:
        return validate(from_engine(pulumi.get_stack(), values, secret_keys))
    except SettingsError as exc:
        raise pulumi.RunError(str(exc)) from None
