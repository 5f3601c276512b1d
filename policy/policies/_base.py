"""Building a checklist policy: its id, remediation and title come from objectos_core/checklist.py.

Every policy is one of two kinds, stated in its tags (`kind:resource`, `kind:objectos-stack`):

- a resource policy judges every resource of the types it knows, wherever it came from
  (the kit's components or a user's raw pulumi_aws / pulumi_kubernetes resources), and
  requires nothing;
- an ObjectOS stack policy judges what it finds, and requires the kit's parts (an edge, a
  WAF, the OS_AUTH_SECRET entry, a backup plan...) only in a stack that runs ObjectOS:
  detected from the graph, or set by the policy's `objectosStack` config.

The wrapper makes three promises for every check:

- odd input is a finding, never a crash: what a check raises while reading one resource
  becomes a violation naming that resource and property, and the check runs again without
  that value, so the rest of the stack is still judged;
- a value a check needs but cannot know until deploy (`report.known`) is reported as not
  judged, in the SDK's preview note; the offline preview makes it a failure in prod;
- a missing part (`report.missing`) fails only an ObjectOS stack.
"""

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
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from objectos_core.checklist import item
from objectos_core.editions import OPEN_IMAGE_REPOSITORY
from policy.enforcement import UNKNOWN_NEEDED
from policy.policies._graph import Graph, qualified_types
from policy.policies._k8s import containers, is_workload
from policy.policies._props import UNKNOWN, Trail, path_text, watched

Config = Mapping[str, Any]

RESOURCE = "resource"
OBJECTOS_STACK = "objectos-stack"
KINDS = {
    RESOURCE: "judges every resource of the types it knows, wherever it came from; requires nothing",
    OBJECTOS_STACK: "judges what it finds in any stack; requires the kit's parts only in a stack that runs ObjectOS",
}
MISSING_PART = " (required because the stack runs ObjectOS)"
OBJECTOS_SETTING = {
    "objectosStack": {
        "type": "string",
        "enum": ["detect", "yes", "no"],
        "default": "detect",
        "description": "Whether the stack runs ObjectOS, so the kit's parts are required: detect it from the graph "
        "(a container with OS_* settings or the ObjectOS image, or the kit's components), or say yes or no.",
    }
}
MAX_ATTEMPTS = 6  # reruns after a malformed value, each without one more value


class Report:
    """What a check reports through: violations, values it needed but could not know, missing parts."""

    def __init__(self, objectos: bool = False, prefix: str = ""):
        self.objectos = objectos
        self.violations: list[tuple[str, Optional[str]]] = []
        self.unknown: list[str] = []
        self._prefix = prefix

    def __call__(self, message: str, urn: Optional[str] = None) -> None:
        self.violations.append((message, urn))

    def missing(self, message: str, urn: Optional[str] = None) -> None:
        """A part of the kit the stack lacks: a violation only when the stack runs ObjectOS."""
        if self.objectos:
            self(message + MISSING_PART, urn)

    def known(self, value: Any, what: str) -> bool:
        """False (and `what` noted as not judged) when a value the check needs is unknown until deploy."""
        if value is UNKNOWN:
            entry = self._prefix + what
            if entry not in self.unknown:
                self.unknown.append(entry)
            return False
        return True


ResourceCheck = Callable[[ResourceValidationArgs, Config, Report], None]
StackCheck = Callable[[Graph, Config, Report], None]


def settings_of(args: Any, schema: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The policy's configuration: the schema defaults overlaid with what the pack was given."""
    values = {name: spec.get("default") for name, spec in schema.items()}
    given = args.get_config() or {}
    values.update({k: v for k, v in given.items() if k in schema})
    return values


def _schema(config: Optional[Mapping[str, Mapping[str, Any]]]) -> Optional[PolicyConfigSchema]:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in config.items()}) if config else None


def runs_objectos(graph: Graph) -> bool:
    """True when the stack runs ObjectOS: a container given OS_* settings or the ObjectOS image, or the kit's parts."""
    return objectos_evidence(graph) is not None


def objectos_evidence(graph: Graph) -> Optional[str]:
    """What shows the stack runs ObjectOS, in a phrase ("resource 'api' runs the ObjectOS image"); None if nothing."""
    for resource in graph.resources:
        component = next((t for t in qualified_types(resource.urn) if t.startswith("objectos:")), None)
        if component is not None:
            return f"resource '{resource.name}' is part of the kit's component {component}"
        if is_workload(resource.resource_type):
            for container in containers(resource.resource_type, resource.props):
                image = container.image if isinstance(container.image, str) else ""
                if container.runs_objectos:
                    return f"container '{container.name}' of '{resource.name}' has OS_* settings"
                if image.startswith(OPEN_IMAGE_REPOSITORY):
                    return f"container '{container.name}' of '{resource.name}' runs the ObjectOS image"
    return None


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
        settings = settings_of(args, schema)
        _judge(
            lambda watch: check(args, settings, watch),
            [args],
            report,
            lambda: Report(prefix=f"{args.name}."),
            per_resource=True,
        )

    metadata = _metadata(check_id, description, severity, schema, tags, RESOURCE)
    policy = ResourceValidationPolicy(validate=validate, **metadata)
    policy.kind = RESOURCE  # type: ignore[attr-defined]
    return policy


def stack_policy(
    check_id: str,
    description: str,
    severity: Severity,
    check: StackCheck,
    *,
    kind: str = RESOURCE,
    config: Optional[Mapping[str, Mapping[str, Any]]] = None,
    tags: Iterable[str] = (),
) -> StackValidationPolicy:
    """A stack policy for one checklist item: for rules that span resources.

    `kind` RESOURCE judges what the graph holds; OBJECTOS_STACK also requires the kit's parts
    (`report.missing`) when the stack runs ObjectOS, and gets the `objectosStack` setting.
    """
    schema = dict(config or {})
    if kind == OBJECTOS_STACK:
        schema.update(OBJECTOS_SETTING)

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        settings = settings_of(args, schema)

        def run(watch: Report) -> None:
            graph = Graph(args.resources)
            if kind == OBJECTOS_STACK:
                forced = settings["objectosStack"]
                watch.objectos = forced == "yes" or (forced == "detect" and runs_objectos(graph))
            check(graph, settings, watch)

        _judge(run, list(args.resources), report, Report, per_resource=False)

    policy = StackValidationPolicy(validate=validate, **_metadata(check_id, description, severity, schema, tags, kind))
    policy.kind = kind  # type: ignore[attr-defined]
    return policy


def _judge(
    run: Callable[[Report], None],
    resources: list[Any],
    sdk_report: ReportViolation,
    new_report: Callable[[], Report],
    per_resource: bool,
) -> None:
    """Run a check; when odd input makes it raise, run it again watched (`_judge_watched`) to pin the value.

    The first run reads the properties as the analyzer gave them: most runs raise nothing, and
    wrapping every resource for every policy cost a pass over the whole stack each time. A check
    is a function of the properties it reads, so the watched run raises where this one did.
    """
    report = new_report()
    try:
        run(report)
    except UnknownValueError:
        _flush(report, [], sdk_report, per_resource)
        raise
    except Exception:  # odd input is a finding on the resource, never a crash of the pack
        _judge_watched(run, resources, sdk_report, new_report, per_resource)
        return
    _conclude(report, [], sdk_report, per_resource)


def _judge_watched(
    run: Callable[[Report], None],
    resources: list[Any],
    sdk_report: ReportViolation,
    new_report: Callable[[], Report],
    per_resource: bool,
) -> None:
    """Run a check with every read watched; a raise pins a malformed value, which the next run goes without."""
    originals = [(resource, resource.props) for resource in resources]
    hidden: dict[str, set[tuple]] = {}
    malformed: list[tuple[Any, tuple, Any, Exception]] = []
    report = new_report()
    try:
        for attempt in range(MAX_ATTEMPTS):
            trail = Trail()
            for resource, props in originals:
                resource.props = watched(props, resource, trail, frozenset(hidden.get(resource.urn, ())))
            report = new_report()
            try:
                run(report)
                break
            except UnknownValueError:
                _flush(report, malformed, sdk_report, per_resource)
                raise
            except Exception as exc:  # odd input is a finding on the resource, never a crash of the pack
                where = trail.last
                if where is None or where[1] in hidden.get(where[0].urn, ()) or attempt == MAX_ATTEMPTS - 1:
                    _flush(report, malformed, sdk_report, per_resource)
                    _unreadable(where, exc, sdk_report, per_resource)
                    return
                malformed.append((*where, exc))
                hidden.setdefault(where[0].urn, set()).add(where[1])
    finally:
        for resource, props in originals:
            resource.props = props
    _conclude(report, malformed, sdk_report, per_resource)


def _conclude(report: Report, malformed: list, sdk_report: ReportViolation, per_resource: bool) -> None:
    """Send a finished run's findings; the values it could not know become the SDK's preview note."""
    _flush(report, malformed, sdk_report, per_resource)
    if report.unknown:
        note = UnknownValueError(UNKNOWN_STRING_VALUE, [])
        note.message = UNKNOWN_NEEDED + ", ".join(report.unknown)
        raise note  # the SDK reports it as a preview note after the violations above


def _flush(report: Report, malformed: list, sdk_report: ReportViolation, per_resource: bool) -> None:
    for resource, path, value, exc in malformed:
        message = (
            f"{resource.name}: {path_text(path)} is {_describe(value)}, which this policy cannot read "
            f"({type(exc).__name__}: {exc}); give it the shape the provider documents "
            "(the rest of the resource was judged without it)"
        )
        _send(sdk_report, message, None if per_resource else resource.urn)
    malformed.clear()
    for message, urn in report.violations:
        _send(sdk_report, message, urn)
    report.violations.clear()


def _unreadable(where: Any, exc: Exception, sdk_report: ReportViolation, per_resource: bool) -> None:
    if where is None:
        _send(sdk_report, f"the policy could not judge the stack ({type(exc).__name__}: {exc})", None)
        return
    resource, path, value, _ = (*where, exc)
    message = (
        f"{resource.name}: the policy could not judge it after reading {path_text(path)} ({_describe(value)}): "
        f"{type(exc).__name__}: {exc}; give its properties the shapes the provider documents"
    )
    _send(sdk_report, message, None if per_resource else resource.urn)


def _send(sdk_report: ReportViolation, message: str, urn: Optional[str]) -> None:
    if urn is None:
        sdk_report(message)
    else:
        sdk_report(message, urn)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value:g}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the string {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Iterable):
        return "a list"
    return f"a {type(value).__name__}"


def _metadata(
    check_id: str, description: str, severity: Severity, schema: dict, tags: Iterable[str], kind: str
) -> dict[str, Any]:
    """What every policy of the pack states: its checklist id, title, remediation, kind and config."""
    entry = item(check_id)
    return dict(
        name=check_id,
        description=description,
        config_schema=_schema(schema),
        display_name=entry.title,
        severity=severity,
        tags=["go-live", f"kind:{kind}", *tags],
        remediation_steps=entry.remediation,
    )
