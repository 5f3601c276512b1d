"""Building a checklist policy: its id, remediation and title come from objectos_core/checklist.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Optional

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from objectos_core.checklist import item
from policy.policies._graph import Graph

Config = Mapping[str, Any]
ResourceCheck = Callable[[ResourceValidationArgs, Config, ReportViolation], None]
StackCheck = Callable[[Graph, Config, ReportViolation], None]


def settings_of(args: Any, schema: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The policy's configuration: the schema defaults overlaid with what the pack was given."""
    values = {name: spec.get("default") for name, spec in schema.items()}
    given = args.get_config() or {}
    values.update({k: v for k, v in given.items() if k in schema})
    return values


def _schema(config: Optional[Mapping[str, Mapping[str, Any]]]) -> Optional[PolicyConfigSchema]:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in config.items()}) if config else None


def resource_policy(
    check_id: str,
    description: str,
    severity: Severity,
    check: ResourceCheck,
    *,
    types: Optional[Iterable[str]] = None,
    type_filter: Optional[Callable[[str], bool]] = None,
    config: Optional[Mapping[str, Mapping[str, Any]]] = None,
    tags: Iterable[str] = (),
) -> ResourceValidationPolicy:
    """A resource policy for one checklist item; `types`/`type_filter` say which resources it reads."""
    wanted = frozenset(types or ())
    schema = dict(config or {})

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if wanted and args.resource_type not in wanted:
            return
        if type_filter is not None and not type_filter(args.resource_type):
            return
        check(args, settings_of(args, schema), report)

    return ResourceValidationPolicy(validate=validate, **_metadata(check_id, description, severity, schema, tags))


def stack_policy(
    check_id: str,
    description: str,
    severity: Severity,
    check: StackCheck,
    *,
    config: Optional[Mapping[str, Mapping[str, Any]]] = None,
    tags: Iterable[str] = (),
) -> StackValidationPolicy:
    """A stack policy for one checklist item: for rules that span resources."""
    schema = dict(config or {})

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        check(Graph(args.resources), settings_of(args, schema), report)

    return StackValidationPolicy(validate=validate, **_metadata(check_id, description, severity, schema, tags))


def _metadata(check_id: str, description: str, severity: Severity, schema: dict, tags: Iterable[str]) -> dict[str, Any]:
    """What every policy of the pack states: its checklist id, title, remediation and config."""
    entry = item(check_id)
    return dict(
        name=check_id,
        description=description,
        config_schema=_schema(schema),
        display_name=entry.title,
        severity=severity,
        tags=["go-live", *tags],
        remediation_steps=entry.remediation,
    )
