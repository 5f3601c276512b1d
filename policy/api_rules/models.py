"""botocore's service models: the request members AWS validates, and their constraints.

Each service's `botocore/data/<service>/<version>/service-2.json` (the newest version, as
botocore.loaders picks it) is read once per process, and only for the services the checked
graph uses. A member is named by an
operation and a path through its input shape: `IpPermissions[].IpRanges[].Description`
(`[]` each list element, `{}` each map value, `{key}` each map key).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z0-9_]+)(?P<steps>(\[\]|\{\}|\{key\})*)$")


class ModelError(LookupError):
    """A mapped operation or member that the service model does not have."""


@dataclass(frozen=True)
class Member:
    """One request member: where it is in the model, and the shape that constrains it."""

    service: str
    operation: str
    path: str
    shape_name: str
    shape: Mapping[str, Any]
    required: bool  # listed in its parent structure's `required`
    sensitive: bool  # the model marks the shape (or a shape on the way) sensitive
    model_file: str = ""
    structure: str = ""  # the structure shape that lists this member (for documented extra rules)
    name: str = ""  # the member's name in that structure

    @property
    def source(self) -> str:
        """Where the rule comes from: the model file and the operation's member path."""
        return f"{self.model_file} {self.operation} {self.path}"


@dataclass
class ServiceModel:
    name: str
    version: str
    shapes: Mapping[str, Any]
    operations: Mapping[str, Any]
    _members: dict[tuple[str, str], Member] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"botocore/data/{self.name}/{self.version}/service-2.json"

    def operation_input(self, operation: str) -> str:
        try:
            return self.operations[operation]["input"]["shape"]
        except KeyError:
            raise ModelError(f"{self.name} has no operation {operation} with input") from None

    def member(self, operation: str, path: str) -> Member:
        """The member at `path` in the operation's input; ModelError names the step that is missing."""
        key = (operation, path)
        if key not in self._members:
            self._members[key] = self._resolve(operation, path)
        return self._members[key]

    def child(self, parent: Member, step: str) -> Member:
        """A member below `parent` (a structure member name, or `[]`, `{}`, `{key}`)."""
        return self.member(
            parent.operation, f"{parent.path}.{step}" if not step.startswith(("[", "{")) else parent.path + step
        )

    def _resolve(self, operation: str, path: str) -> Member:
        shape_name = self.operation_input(operation)
        shape = self.shapes[shape_name]
        required = False
        sensitive = bool(shape.get("sensitive"))
        structure = name = ""
        for segment in path.split("."):
            match = _SEGMENT.match(segment)
            if not match:
                raise ModelError(f"{self.name} {operation}: bad path segment '{segment}' in {path}")
            name = match["name"]
            members = shape.get("members")
            if shape.get("type") != "structure" or members is None or name not in members:
                raise ModelError(f"{self.name} {operation} {path}: '{name}' is not a member of {shape_name}")
            reference = members[name]
            structure = shape_name
            required = name in shape.get("required", ())
            shape_name = reference["shape"]
            shape = self.shapes[shape_name]
            sensitive = sensitive or bool(shape.get("sensitive"))
            for step in re.findall(r"\[\]|\{\}|\{key\}", match["steps"]):
                wanted, part = {"[]": ("list", "member"), "{}": ("map", "value"), "{key}": ("map", "key")}[step]
                if shape.get("type") != wanted:
                    raise ModelError(
                        f"{self.name} {operation} {path}: {shape_name} is a {shape.get('type')}, not a {wanted}"
                    )
                shape_name = shape[part]["shape"]
                shape = self.shapes[shape_name]
                sensitive = sensitive or bool(shape.get("sensitive"))
                required = False
                structure = name = ""  # an element is not the member the extras describe
        return Member(self.name, operation, path, shape_name, shape, required, sensitive, self.file, structure, name)


LOADED: dict[str, ServiceModel] = {}
"""The models parsed so far in this process, by service name."""


def data_dir() -> Path:
    """botocore's shipped `data/` folder, found without importing botocore (its import costs
    more memory than the models the check needs)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("botocore is not installed: install the pack's requirements (policy/requirements.txt)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def latest_version(name: str) -> str:
    """The newest API version botocore ships a model for, as botocore.loaders picks it."""
    folder = data_dir() / name
    versions = (
        sorted(
            v.name for v in folder.iterdir() if (v / "service-2.json").exists() or (v / "service-2.json.gz").exists()
        )
        if folder.is_dir()
        else []
    )
    if not versions:
        raise ModelError(f"botocore ships no model for service '{name}'")
    return versions[-1]


def _without_documentation(node: dict) -> dict:
    """The check needs the rules, not the prose: dropping it while parsing halves a model's memory."""
    node.pop("documentation", None)
    return node


def service(name: str) -> ServiceModel:
    """The service's newest model, parsed once per process."""
    if name not in LOADED:
        version = latest_version(name)
        path = data_dir() / name / version / "service-2.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=_without_documentation)
        else:
            with gzip.open(path.with_name("service-2.json.gz"), "rt", encoding="utf-8") as handle:
                data = json.load(handle, object_hook=_without_documentation)
        LOADED[name] = ServiceModel(name, version, data["shapes"], data["operations"])
    return LOADED[name]
