"""Pulumi mocks that stand in for the engine and the providers offline.

`RecordingMonitor` is Pulumi's own mock monitor plus a record of everything the
real engine would see in `RegisterResource`: parent, dependencies, property
dependencies, protect and retain-on-delete. `KitMocks` answers each resource with
plausible provider outputs (ids, ARNs, generated passwords) so the program runs
to the end; it never decides anything the program itself decides.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"
SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key
UNKNOWN = rpc.UNKNOWN


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    inputs: dict[str, Any]  # secrets as `Secret`, unknowns as `Unknown`
    raw_inputs: Any  # google.protobuf Struct, as the engine would forward it to analyzers
    outputs: dict[str, Any] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)  # create/update/delete -> duration, when set

    @classmethod
    def of(
        cls,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        *,
        project: str = "objectos",
        stack: str = "prod",
        urn_type: str = "",
        protect: bool = False,
    ) -> Registration:
        """A top-level custom resource with plain `inputs`, as a program would register it (for tests
        and benchmarks that judge a graph they build by hand)."""
        struct = struct_pb2.Struct()
        struct.update(inputs)
        return cls(
            urn=f"urn:pulumi:{stack}::{project}::{urn_type or type_}::{name}",
            type=type_,
            name=name,
            parent="",
            custom=True,
            provider="",
            dependencies=[],
            property_dependencies={},
            protect=protect,
            retain_on_delete=False,
            delete_before_replace=False,
            inputs=inputs,
            raw_inputs=struct,
        )


@dataclass(frozen=True)
class Secret:
    value: Any

    def __repr__(self) -> str:
        return "[secret]"


class Unknown:
    def __repr__(self) -> str:
        return "[unknown]"


def from_struct(struct: Any) -> dict[str, Any]:
    """A protobuf Struct of resource properties -> plain values with `Secret` markers."""
    return _mark(json_format.MessageToDict(struct)) if struct is not None else {}


def _mark(value: Any) -> Any:
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(_mark(value.get("value")))
        if sig == rpc._special_resource_sig:
            return value.get("urn")
        if sig == rpc._special_output_value_sig:
            inner = _mark(value.get("value", UNKNOWN))
            return Secret(inner) if value.get("secret") else inner
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if value == UNKNOWN:
        return Unknown()
    return value


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, recording each registration as the engine sees it."""

    def __init__(self, mocks: Mocks):
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.order: list[str] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            if response.urn not in self.registrations:
                self.order.append(response.urn)
            self.registrations[response.urn] = self._registration(request, response.urn)
            return response
        if request.additionalSecretOutputs:
            state = rpc.deserialize_properties(response.object, keep_unknowns=True)
            for key in request.additionalSecretOutputs:
                if key in state and not rpc.is_rpc_secret(state[key]):
                    state[key] = rpc.wrap_rpc_secret(state[key])
            self.resources[response.urn] = self.resources[response.urn]._replace(state=state)
            response.object.CopyFrom(pulumi.runtime.sync_await._sync_await(rpc.serialize_properties(state, {})))
        self.registrations[response.urn] = self._registration(request, response.urn)
        self.order.append(response.urn)  # a URN seen twice is a duplicate the engine would refuse
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn in self.registrations:
            self.registrations[request.urn].outputs = from_struct(request.outputs)
        return super().RegisterResourceOutputs(request)

    @staticmethod
    def _registration(request, urn: str) -> Registration:
        return Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            provider=request.provider,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            inputs=from_struct(request.object),
            raw_inputs=request.object,
            ignore_changes=list(request.ignoreChanges),
            custom_timeouts={
                kind: getattr(request.customTimeouts, kind)
                for kind in ("create", "update", "delete")
                if getattr(request.customTimeouts, kind)
            },
        )


# --- provider outputs ---------------------------------------------------------


OutputFn = Callable[[MockResourceArgs, "KitMocks"], dict[str, Any]]


def _random_password(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    inputs = args.inputs
    alphabet = ""
    if inputs.get("lower", True):
        alphabet += string.ascii_lowercase
    if inputs.get("upper", True):
        alphabet += string.ascii_uppercase
    if inputs.get("numeric", True):
        alphabet += string.digits
    if inputs.get("special", True):
        alphabet += inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?"
    length = int(inputs.get("length", 16))
    return {"result": "".join(secrets.choice(alphabet) for _ in range(length))}


def _random_bytes(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    raw = secrets.token_bytes(int(args.inputs.get("length", 32)))
    import base64

    return {"base64": base64.b64encode(raw).decode(), "hex": raw.hex()}


def _random_id(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    import base64

    raw = secrets.token_bytes(int(args.inputs.get("byteLength", 8)))
    prefix = args.inputs.get("prefix", "")
    return {
        "hex": prefix + raw.hex(),
        "b64Url": prefix + base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64Std": prefix + base64.b64encode(raw).decode(),
        "dec": prefix + str(int.from_bytes(raw, "big")),
    }


def _certificate(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    names = [args.inputs.get("domainName"), *args.inputs.get("subjectAlternativeNames", [])]
    return {
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{hashlib.md5(name.encode()).hexdigest()[:12]}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{hashlib.md5(name[::-1].encode()).hexdigest()[:12]}.acm-validations.aws.",
            }
            for name in names
            if name
        ],
        "status": "ISSUED",
    }


def _ingress(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    return {
        "status": {
            "loadBalancer": {"ingress": [{"hostname": f"k8s-{args.name}-0123456789.{mocks.region}.elb.amazonaws.com"}]}
        }
    }


def _distribution(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    return {
        "domainName": f"d{hashlib.md5(args.name.encode()).hexdigest()[:13]}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    }


def _replication_group(args: MockResourceArgs, mocks: KitMocks) -> dict[str, Any]:
    group = args.inputs.get("replicationGroupId", args.name)
    return {"primaryEndpointAddress": f"master.{group}.x1y2z3.{mocks.region}.cache.amazonaws.com"}


EXTRA_OUTPUTS: dict[str, OutputFn] = {
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomBytes:RandomBytes": _random_bytes,
    "random:index/randomId:RandomId": _random_id,
    "aws:acm/certificate:Certificate": _certificate,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "aws:cloudfront/distribution:Distribution": _distribution,
}
"""Type token -> outputs a real provider computes that the program reads."""

INVOKES: dict[str, Callable[[dict, KitMocks], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, m: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/preview",
        "userId": "AIDAPREVIEW",
    },
    "aws:index/getRegion:getRegion": lambda a, m: {"name": m.region, "region": m.region, "id": m.region},
    "aws:index/getPartition:getPartition": lambda a, m: {"partition": "aws", "dnsSuffix": "amazonaws.com"},
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": lambda a, m: {
        "id": "pl-3b927c52",
        "name": a.get("name", "com.amazonaws.global.cloudfront.origin-facing"),
    },
    # ALB alias targets live in a fixed zone per region (computed by the provider, no API call).
    "aws:lb/getHostedZoneId:getHostedZoneId": lambda a, m: {
        "id": {"eu-west-1": "Z32O12XQLNTSW2", "us-east-1": "Z35SXDOTRQ7X7K"}.get(m.region, "Z35SXDOTRQ7X7K"),
    },
}
"""Invoke token -> result. Components should prefer computing values themselves."""


class KitMocks(Mocks):
    def __init__(self, region: str):
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        token = args.typ
        resource_id = args.resource_id or f"{args.name}-id"
        state: dict[str, Any] = dict(args.inputs)
        if token.startswith("aws:"):
            service = token.split(":")[1].split("/")[0]
            region = args.inputs.get("region") or self.region  # pulumi-aws 7: a resource may name its own region
            state.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{args.name}")
            state.setdefault("name", args.inputs.get("name", args.name))
        if token.startswith("kubernetes:") and isinstance(state.get("metadata"), dict):
            state["metadata"] = {"name": args.name, **state["metadata"]}
        extra = EXTRA_OUTPUTS.get(token)
        if extra is not None:
            state.update(extra(args, self))
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict, list]:
        handler = INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"the offline preview has no answer for the invoke {args.token}; compute the value in the "
                "component or add it to testing.mocks.INVOKES"
            )
        return handler(args.args, self), []
