"""Settings for a program run by the Pulumi engine (`pulumi up` / `pulumi preview`)."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from settings.errors import SettingsError
from settings.load import from_engine, validate
from settings.model import Settings


def engine_settings() -> Settings:
    """Validate the stack's configuration; a mistake ends the run with a clean RunError."""
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env()) | set(runtime_config._SECRET_KEYS.get())
    try:
        return validate(from_engine(pulumi.get_stack(), values, secret_keys))
    except SettingsError as exc:
        raise pulumi.RunError(str(exc)) from None
