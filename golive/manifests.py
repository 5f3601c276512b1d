"""Kubernetes manifests from the recorded graph, validated offline with kubernetes-validate."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

import jsonschema
from kubernetes_validate import utils as kv
from referencing import Registry, Resource

from testing.mocks import Registration, Secret, Unknown

K8S_PREFIX = "kubernetes:"
PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class ManifestProblem:
    urn: str
    kind: str
    name: str
    message: str
    skipped: bool = False  # True: not validated (no schema), not a failure


def is_manifest(registration: Registration) -> bool:
    return (
        registration.custom and registration.type.startswith(K8S_PREFIX) and ":" in registration.type[len(K8S_PREFIX) :]
    )


def manifest(registration: Registration) -> dict[str, Any]:
    """The object the provider would send to the API server (values as JSON types)."""
    body = _plain(registration.inputs)
    if "apiVersion" not in body or "kind" not in body:
        group_version, kind = registration.type[len(K8S_PREFIX) :].split(":")
        group, _, version = group_version.partition("/")
        body.setdefault("apiVersion", version if group in ("core", "") else f"{group}/{version}")
        body.setdefault("kind", kind)
    return body


def validate_manifests(registrations: Iterable[Registration], version: str) -> list[ManifestProblem]:
    problems = []
    for registration in registrations:
        if not is_manifest(registration) or registration.type.startswith("kubernetes:helm"):
            continue
        body = manifest(registration)
        name = body.get("metadata", {}).get("name", registration.name)
        error = validate_one(body, version, partial=registration.type.endswith("Patch"))
        if error is not None:
            skipped = error.startswith("no schema")
            problems.append(ManifestProblem(registration.urn, body["kind"], name, error, skipped))
    return problems


def validate_one(body: dict[str, Any], version: str, partial: bool = False) -> Optional[str]:
    """None when valid; otherwise the first schema error with its path.

    `partial`: a patch (`DeploymentPatch`, server-side apply) sets only the fields it changes,
    so a field the full object requires may be absent; a field the schema does not know, or
    a value of the wrong type, is still an error.
    """
    try:
        validator = _validator(body["apiVersion"], body["kind"], version)
    except kv.SchemaNotFoundError:
        return f"no schema for {body['kind']} {body['apiVersion']} in Kubernetes {version} (custom resource)"
    except kv.VersionNotSupportedError:
        return f"Kubernetes {version} is not supported by this kubernetes-validate; use a version it ships"
    errors = validator.iter_errors(body)
    if partial:
        errors = (e for e in errors if e.validator != "required")
    error = jsonschema.exceptions.best_match(errors)
    if error is None:
        return None
    path = ".".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{path}: {error.message}"


@functools.cache
def _validator(api_version: str, kind: str, version: str) -> jsonschema.Validator:
    """kubernetes-validate's strict schema for one kind, built once per run.

    Same schema lookup as `kubernetes_validate.validate(strict=True)`, but the
    (large) shared definitions file is parsed once instead of once per manifest.
    """
    desired = kv.major_minor(version.removeprefix("v"))
    known = [v for v in kv.all_versions() if _minor(kv.major_minor(v)) <= _minor(desired)]
    if not known or _minor(desired) > _minor(kv.major_minor(kv.latest_version())):
        raise kv.VersionNotSupportedError(version=desired)
    schema_dir = f"v{known[-1]}-local-strict"
    import re

    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{api}.json", desired)
    except FileNotFoundError:
        raise kv.SchemaNotFoundError(version=desired, kind=kind, api_version=api_version) from None
    registry = Resource.from_contents(schema) @ (_definitions(schema_dir, desired) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@functools.cache
def _definitions(schema_dir: str, desired: str) -> Resource:
    return Resource.from_contents(kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", desired))


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _plain(value: Any) -> Any:
    """Engine values -> JSON: integral floats back to ints, secrets and unknowns to placeholders."""
    if isinstance(value, Secret):
        # Keep the shape for the schema but never the value: errors quote values.
        return "[secret]" if isinstance(value.value, str) else _plain(value.value)
    if isinstance(value, Unknown):
        return PLACEHOLDER
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
