"""Small user programs as the policy pack sees them: raw pulumi_aws / pulumi_kubernetes resources.

Each program is data: its resources (type, name, inputs as the engine forwards them, which
properties depend on which resources), the pack config it adds, and the one violation it
holds (or none). `judge` runs the pack over the analyzer protocol, the entry point
`golive preview` uses, and returns the diagnostics and the checklist rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from google.protobuf import struct_pb2

from golive import analyzer, checklist
from golive.results import Finding
from policy.enforcement import load_config
from testing.mocks import Registration

DIGEST = "@sha256:" + "a" * 64
RESTRICTED = {  # a container's securityContext under the restricted Pod Security Standard
    "privileged": False,
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
BLOCKED = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)


@dataclass(frozen=True)
class R:
    type: str
    name: str
    props: dict[str, Any]
    protect: bool = False
    deps: dict[str, list[str]] = field(default_factory=dict)  # property -> names of the resources it waits for


@dataclass(frozen=True)
class Expected:
    policy: str
    resource: str  # the resource the violation names ("" for the stack)
    fragment: str  # a phrase of the message


@dataclass(frozen=True)
class Program:
    name: str
    resources: tuple[R, ...]
    expected: Optional[Expected] = None  # None: a compliant program
    config: dict[str, Any] = field(default_factory=dict)


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:corpus::user-program::{type_}::{name}"


def registrations(program: Program) -> list[Registration]:
    by_name = {r.name: urn(r.type, r.name) for r in program.resources}
    found = []
    for r in program.resources:
        struct = struct_pb2.Struct()
        struct.update(r.props)
        property_dependencies = {key: [by_name[n] for n in names] for key, names in r.deps.items()}
        found.append(
            Registration(
                urn=urn(r.type, r.name),
                type=r.type,
                name=r.name,
                parent="",
                custom=True,
                provider="",
                dependencies=sorted({u for urns in property_dependencies.values() for u in urns}),
                property_dependencies=property_dependencies,
                protect=r.protect,
                retain_on_delete=False,
                delete_before_replace=False,
                inputs=r.props,
                raw_inputs=struct,
            )
        )
    return found


def judge(program: Program, environment: str = "prod") -> tuple[list[analyzer.Diagnostic], list[Finding]]:
    """The pack's diagnostics and the preview's checklist rows for this program in this environment."""
    pack = analyzer.shared_pack()
    with pack.lock:
        info = pack.info()
        config = {**load_config(environment), **program.config}
        levels = pack.configure(config, info.policies)
        pack.configure_stack("corpus", "user-program", {})
        pending = pack.submit(registrations(program))
    diagnostics = pending.result()
    severities = {p.name: p.severity for p in info.policies}
    return diagnostics, checklist.rows(diagnostics, levels, environment == "prod", severities)
