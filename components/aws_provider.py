"""An explicit AWS provider that keeps the stack's own provider settings.

An explicit `aws.Provider` reads none of the stack's `aws:*` configuration: one
made only with a region silently drops the profile, the roles to assume, the
allowed accounts, endpoints and the rest, and so deploys with other credentials
or into another account. `provider_kwargs` turns the stack's `aws:*` mapping
(as the engine hands it over: text, objects and lists as JSON) into
`aws.ProviderArgs` keywords with the region overridden, and merges the kit's
tags into the stack's default tags. Pure apart from building the typed Args.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Mapping
from typing import Any

import pulumi_aws as aws

KIT_WINS = "the kit's tags win over aws:defaultTags of the same key: the live verifier finds resources by them"


class ProviderConfigError(ValueError):
    """An `aws:*` value the AWS provider would not take; the message names the key."""


def snake(name: str) -> str:
    """camelCase config key -> snake_case keyword (s3UsEast1RegionalEndpoint -> s3_us_east1_regional_endpoint)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def provider_kwargs(aws_config: Mapping[str, Any], region: str, tags: Mapping[str, str]) -> dict[str, Any]:
    """`aws.ProviderArgs` keywords from the stack's `aws:*` config, in `region`, with the kit's tags.

    `aws_config` maps keys with or without the `aws:` prefix to the engine's values.
    """
    parameters = _parameters()
    kwargs: dict[str, Any] = {}
    for key, raw in aws_config.items():
        name = key.split(":", 1)[1] if key.startswith("aws:") else key
        keyword = snake(name)
        if keyword == "region":
            continue  # this provider's whole point
        if keyword not in parameters:
            raise ProviderConfigError(
                f"aws:{name} is not a setting of the AWS provider (pulumi-aws {_version()}); "
                "remove it or correct its spelling"
            )
        kwargs[keyword] = _converted(f"aws:{name}", raw, parameters[keyword])
    stack_tags = {}
    given = kwargs.pop("default_tags", None)
    if given is not None:
        stack_tags = dict(given.tags or {}) if isinstance(given, aws.ProviderDefaultTagsArgs) else {}
    kwargs["default_tags"] = aws.ProviderDefaultTagsArgs(tags={**stack_tags, **tags})  # KIT_WINS
    kwargs["region"] = region
    return kwargs


def regional_provider(name: str, aws_config: Mapping[str, Any], region: str, tags: Mapping[str, str], **opts: Any):
    """An `aws.Provider` in `region` with the stack's own provider settings."""
    return aws.Provider(name, aws.ProviderArgs(**provider_kwargs(aws_config, region, tags)), **opts)


# --- converting the engine's text to the provider's types -------------------------------------


def _parameters() -> dict[str, Any]:
    return {
        name: parameter.annotation
        for name, parameter in inspect.signature(aws.ProviderArgs.__init__).parameters.items()
        if name not in ("self", "__self__")
    }


def _version() -> str:
    from importlib.metadata import version

    return version("pulumi_aws")


def _kind(annotation: Any) -> tuple[str, Any]:
    """('str'|'bool'|'int'|'list'|'args', item) from a ProviderArgs parameter annotation."""
    options = [a for a in typing.get_args(annotation) if a is not type(None)]
    first = options[0] if options else annotation
    if first in (str, bool, int):
        return first.__name__, None
    if typing.get_origin(first) is not None and typing.get_origin(first).__name__ == "Sequence":
        (item,) = typing.get_args(first)[:1]
        inner = typing.get_args(item)[0] if typing.get_args(item) else item
        return "list", inner
    if isinstance(first, typing.ForwardRef):
        return "args", first.__forward_arg__
    return "any", None


def _converted(key: str, raw: Any, annotation: Any) -> Any:
    kind, item = _kind(annotation)
    if kind == "str":
        return raw if isinstance(raw, str) else json.dumps(raw)
    value = _json(key, raw) if isinstance(raw, str) and kind != "str" else raw
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ProviderConfigError(f"{key} must be true or false, got {raw!r}")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ProviderConfigError(f"{key} must be a whole number, got {raw!r}")
    if kind == "list":
        if isinstance(value, str):
            value = [value]  # a single value where the provider takes a list
        if not isinstance(value, list):
            raise ProviderConfigError(f"{key} must be a list, got {raw!r}")
        if isinstance(item, typing.ForwardRef):
            return [_args(f"{key}[{i}]", element, item.__forward_arg__) for i, element in enumerate(value)]
        return [str(element) for element in value]
    if kind == "args":
        return _args(key, value, item)
    return value


def _args(key: str, value: Any, class_name: str) -> Any:
    if not isinstance(value, Mapping):
        raise ProviderConfigError(f"{key} must be an object, got {value!r}")
    cls = getattr(aws, class_name)
    try:
        return cls(**{snake(k): v for k, v in value.items()})
    except TypeError:
        known = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "__self__")]
        unknown = sorted(k for k in value if snake(k) not in known)
        raise ProviderConfigError(
            f"{key} has no setting {', '.join(unknown)}; the provider takes {', '.join(known)} (in camelCase)"
        ) from None


def _json(key: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # a bare string; the type check above reports it if it must be something else
