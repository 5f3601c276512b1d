"""The recorded graph as a Terraform plan (`terraform show -json`), so checkov and trivy can read a Pulumi stack.

pulumi-aws is bridged from the Terraform AWS provider, so each resource has a Terraform twin:
- the type: the bridge names `aws_<module>_<name>` as `aws:<module>/<name>:<Name>`; `terraform_type`
  undoes that, with the few modules whose Terraform prefix differs (`MODULE_PREFIXES`, `TYPE_NAMES`);
- the attributes: read from the installed SDK. Each resource class and each nested type carries its
  properties' Pulumi names and types (`pulumi._types.resource_types` / `output_type_types`). The
  Python name of a property is the Terraform attribute name, except that the bridge pluralizes a list
  block (`rule` -> `rules`); it names the nested type after the block's Terraform name
  (`WebAclRule`), so a block's Terraform name is its type's name less its parent's.
  A block is a list of objects in a plan even when the bridge flattened it (max one item).
Secrets keep no value: their attributes are left out of `after` and set in `after_sensitive`.
Kubernetes objects become `kubernetes_manifest` resources holding the manifest itself.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

from golive.manifests import is_manifest, manifest
from golive.plan import redact
from testing.mocks import Registration, Secret, Unknown

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"  # the `terraform show -json` format this file follows
PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "random": "registry.terraform.io/hashicorp/random",
    "kubernetes": "registry.terraform.io/hashicorp/kubernetes",
}
SDKS = {"aws": "pulumi_aws", "random": "pulumi_random"}
MODULE_PREFIXES = {"ec2": "", "index": ""}  # aws:ec2/securityGroup -> aws_security_group
TYPE_NAMES = {  # tokens the module rule does not give (the bridge's resources.go maps them one by one)
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
}
PLURAL_BLOCKS = frozenset({"items"})  # list blocks whose Terraform name is plural already: the name is kept
KUBERNETES_MANIFEST = "kubernetes_manifest"
_TOKEN = re.compile(r"(?P<package>[a-z0-9-]+):(?P<module>[A-Za-z0-9.-]+)(/[A-Za-z0-9]+)?:(?P<name>[A-Za-z0-9]+)$")
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_-]")


class ExportError(ValueError):
    """A resource the export cannot name in Terraform's terms."""


def snake(name: str) -> str:
    """camelCase or PascalCase -> snake_case, as the bridge's names map back (`ipv6CidrBlocks` -> `ipv6_cidr_blocks`)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def terraform_type(token: str) -> str:
    """`aws:s3/bucketVersioning:BucketVersioning` -> `aws_s3_bucket_versioning`."""
    if token in TYPE_NAMES:
        return TYPE_NAMES[token]
    if token.startswith("kubernetes:"):
        return KUBERNETES_MANIFEST
    match = _TOKEN.match(token)
    if match is None or match["package"] not in PROVIDERS:
        raise ExportError(f"{token}: no Terraform provider for this type; the export knows {', '.join(PROVIDERS)}")
    package, module, name = match["package"], match["module"], match["name"]
    if package == "random":
        name = name.removeprefix("Random")
    prefix = MODULE_PREFIXES.get(module, module)
    return "_".join(part for part in (package, prefix, snake(name)) if part)


# --- the SDK's schema ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    terraform: str  # the attribute's Terraform name
    kind: str  # "block" (list of objects), "value" (string, number, list of strings, map, ...)
    schema: Optional[type]  # the nested type of a block


@functools.cache
def resource_class(token: str) -> Optional[type]:
    """The SDK's resource class of a type token, or None when the SDK is not installed or lacks it."""
    match = _TOKEN.match(token)
    if match is None or match["package"] not in SDKS:
        return None
    module = match["module"]
    try:
        sdk = importlib.import_module(
            SDKS[match["package"]] if module == "index" else f"{SDKS[match['package']]}.{module}"
        )
    except ImportError:
        return None
    found = getattr(sdk, match["name"], None)
    return found if isinstance(found, type) else None


@functools.cache
def fields_of(cls: type, nested: bool) -> dict[str, Field]:
    """Pulumi name -> Field for a resource class (`nested` False) or a nested output type."""
    from pulumi import _types

    types = _types.output_type_types(cls) if nested else _types.resource_types(cls)
    py_names = _types._pulumi_to_py_names_from_py_properties(cls)
    found = {}
    for pulumi_name, hint in types.items():
        python = py_names.get(pulumi_name, snake(pulumi_name))
        element = _object_type(hint)
        if element is None:
            found[pulumi_name] = Field(python, "value", None)
            continue
        own = element.__name__
        parent = cls.__name__
        derived = own.startswith(parent) and own != parent and python not in PLURAL_BLOCKS
        block = snake(own[len(parent) :]) if derived else python
        found[pulumi_name] = Field(block, "block", element)
    return found


def _object_type(hint: Any) -> Optional[type]:
    """The nested (output) type of a property, itself or as list items; None for scalars and maps."""
    from pulumi import _types

    hint = _types.unwrap_type(hint)
    if typing.get_origin(hint) in (list, collections.abc.Sequence):
        hint = _types.unwrap_type(typing.get_args(hint)[0])
    if isinstance(hint, type) and _types.is_output_type(hint):
        return hint
    return None


# --- values --------------------------------------------------------------------------------------


@dataclass
class Converted:
    after: dict[str, Any]
    sensitive: dict[str, Any]
    unknown: dict[str, Any]


def convert(inputs: dict[str, Any], schema: Optional[type], nested: bool = False) -> Converted:
    """Pulumi inputs -> Terraform attributes: names, blocks as lists of objects, secrets held back."""
    fields = fields_of(schema, nested) if schema is not None else {}
    after: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in inputs.items():
        if key.startswith("__"):  # engine bookkeeping (`__defaults`)
            continue
        known = fields.get(key)
        name = known.terraform if known else snake(key)
        if isinstance(value, Secret):
            sensitive[name] = True
            continue
        if isinstance(value, Unknown):
            unknown[name] = True
            continue
        if known is not None and known.kind == "block":
            items = value if isinstance(value, list) else [value]
            blocks = [convert(item, known.schema, True) if isinstance(item, dict) else None for item in items]
            after[name] = [b.after if b else _plain(item) for b, item in zip(blocks, items, strict=True)]
            if any(b and b.sensitive for b in blocks):
                sensitive[name] = [b.sensitive if b else False for b in blocks]
            if any(b and b.unknown for b in blocks):
                unknown[name] = [b.unknown if b else False for b in blocks]
            continue
        plain, hidden = _plain_value(value)
        after[name] = plain
        if hidden:
            sensitive[name] = hidden
    return Converted(after, sensitive, unknown)


def _plain_value(value: Any) -> tuple[Any, Any]:
    """A value with the secrets inside it blanked (None), and where they were (Terraform's shape)."""
    if isinstance(value, Secret):
        return None, True
    if isinstance(value, Unknown):
        return None, False
    if isinstance(value, dict):
        pairs = {k: _plain_value(v) for k, v in value.items()}
        hidden = {k: h for k, (_, h) in pairs.items() if h}
        return {k: v for k, (v, _) in pairs.items()}, hidden or False
    if isinstance(value, list):
        pairs_list = [_plain_value(v) for v in value]
        hidden_list = [h for _, h in pairs_list]
        return [v for v, _ in pairs_list], hidden_list if any(hidden_list) else False
    return _plain(value), False


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- the plan ------------------------------------------------------------------------------------


def addresses(registrations: Iterable[Registration]) -> dict[str, str]:
    """URN -> `type.name`, unique: Terraform names allow letters, digits, `_` and `-`, and start with a letter."""
    taken: set[str] = set()
    found = {}
    for registration in registrations:
        tf_type = terraform_type(registration.type)
        base = _NOT_IDENTIFIER.sub("_", registration.name) or "resource"
        if not (base[0].isalpha() or base[0] == "_"):
            base = f"r_{base}"
        name, n = base, 1
        while f"{tf_type}.{name}" in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(f"{tf_type}.{name}")
        found[registration.urn] = f"{tf_type}.{name}"
    return found


def exported(registrations: Iterable[Registration]) -> list[Registration]:
    """The resources a Terraform plan holds: the providers' resources, not components or providers."""
    return [
        r
        for r in registrations
        if r.custom and not r.type.startswith("pulumi:") and r.type.split(":", 1)[0] in PROVIDERS
    ]


def resource_values(registration: Registration) -> Converted:
    if is_manifest(registration):
        return convert({"manifest": manifest(registration)}, None)
    return convert(registration.inputs, resource_class(registration.type))


def terraform_plan(registrations: Iterable[Registration], secrets: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The `terraform show -json` document of a fresh apply of these resources (every action `create`).

    `secrets`: plaintexts cut out of any plain string that holds one, as the preview's plan does."""
    resources = exported(registrations)
    address = addresses(resources)
    planned, changes, configured = [], [], []
    for registration in resources:
        addr = address[registration.urn]
        tf_type, name = addr.split(".", 1)
        provider = PROVIDERS[registration.type.split(":", 1)[0]]
        values = resource_values(registration)
        common = {"address": addr, "mode": "managed", "type": tf_type, "name": name, "provider_name": provider}
        planned.append({**common, "schema_version": 0, "values": values.after, "sensitive_values": values.sensitive})
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values.after,
                    "after_unknown": values.unknown,
                    "before_sensitive": False,
                    "after_sensitive": values.sensitive,
                },
            }
        )
        configured.append(
            {
                "address": addr,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_config_key": provider.rsplit("/", 1)[-1],
                "expressions": _references(registration, address, values),
                "schema_version": 0,
            }
        )
    used = sorted({r.type.split(":", 1)[0] for r in resources})
    document = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {p: {"name": p, "full_name": PROVIDERS[p]} for p in used},
            "root_module": {"resources": configured},
        },
    }
    return redact(document, secrets) if secrets else document


def _references(registration: Registration, address: dict[str, str], values: Converted) -> dict[str, Any]:
    """Each top-level attribute that takes another resource's output: `{"references": [addr.id, addr]}`.

    checkov links resources through these (a bucket to its encryption configuration)."""
    if is_manifest(registration):
        return {}
    fields = fields_of(cls, False) if (cls := resource_class(registration.type)) else {}
    expressions: dict[str, Any] = {}
    for key, urns in sorted(registration.property_dependencies.items()):
        targets = [address[u] for u in urns if u in address]
        if not targets:
            continue
        name = fields[key].terraform if key in fields else snake(key)
        expressions[name] = {"references": [ref for t in targets for ref in (f"{t}.id", t)]}
    for name, value in values.after.items():
        if name not in expressions and not isinstance(value, (dict, list)):
            expressions[name] = {"constant_value": value}
    return expressions
