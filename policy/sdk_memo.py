"""Convert each resource's properties once per Analyze or AnalyzeStack call, not once per policy.

What: for the length of one AnalyzeStack (or Analyze) call, a memo of the policy SDK's protobuf-to-dict
conversion (`json_format.MessageToDict`), keyed on the message's type and its deterministic
wire bytes. The memo is dropped when the call returns, so it holds one request's dicts, never more.

Why: pulumi-policy 1.21.0's `_PolicyAnalyzerServicer.AnalyzeStack` rebuilds every resource
inside its loop over the stack policies, with
`deserialize_properties(json_format.MessageToDict(r.properties))`. MessageToDict is pure Python,
and the pack has 18 stack policies, so each resource was converted 18 times per request. With
the memo it is converted once; the SDK still builds each policy its own resource objects.
`Analyze` (one resource, on every registration) converts it, and its provider, once per
resource policy (6): the same memo covers it, for a smaller gain (the pack's CPU for the prod
stack's 124 Analyze calls, 20 rounds, two runs each way: 0.157-0.165 s without, 0.140-0.152 s
with).

Gain, measured on the prod stack's 124 resources through the pack process, the way
golive.analyzer runs it: the pack's CPU time per AnalyzeStack call (20 calls after a warm-up,
three runs each way, alternated) went from 362-406 ms to 255-348 ms, about a quarter less. The
SDK's conversions per call went from 2,376 (132 messages, providers included, x 18 policies)
to 108 (the distinct ones): with the garbage collector off, 82 ms of a 212 ms call to 4 ms.
What remains is the SDK's own per-policy work (a fresh unknown-checking proxy of every
resource for every policy) and the garbage collector.

The memo relies on the pinned SDK's shape: `pulumi_policy.policy` reads `json_format` as a
module attribute at call time and hands MessageToDict's result only to `deserialize_properties`.
When the shape is not the expected one (another SDK version, an attribute missing), `install()`
leaves the SDK as it is and the pack runs unpatched, slower and still correct.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, Optional

SDK_VERSION = "1.21.0"  # the pulumi-policy release whose AnalyzeStack this was checked against

MEMOIZED = ("AnalyzeStack", "Analyze")  # the servicer's calls that convert the same message once per policy
_state = threading.local()  # gRPC runs each call on a pool thread: one memo per thread's call


class MemoJsonFormat:
    """Stands in for `google.protobuf.json_format` inside the SDK module: MessageToDict answers
    from the current Analyze or AnalyzeStack call's memo; everything else is the real module's."""

    def __init__(self, real: ModuleType):
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 (the SDK's name)
        memo: Optional[dict] = getattr(_state, "memo", None)
        if memo is None or args:
            return self.real.MessageToDict(message, *args, **kwargs)
        try:
            key = (
                message.DESCRIPTOR.full_name,
                message.SerializeToString(deterministic=True),
                frozenset(kwargs.items()),
            )
            hash(key)
        except Exception:  # an unhashable option or an odd message: convert it as the SDK would
            return self.real.MessageToDict(message, *args, **kwargs)
        # Sharing one dict between the policies is safe because its only reader in AnalyzeStack,
        # pulumi_policy.deserialize.deserialize_properties, copies it: it builds a new dict for
        # every mapping and a new list for every list, new Asset/Archive objects for the asset
        # signatures, unwraps secrets into those copies, and passes on only scalars (str, float,
        # bool, None), which cannot be changed. No policy ever sees the memo's dict itself.
        # Equal messages share one entry; a map's key order is upb's, not the caller's, either way.
        found = memo.get(key)
        if found is None:
            found = memo[key] = self.real.MessageToDict(message, **kwargs)
        return found


def _memoized(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, request: Any, context: Any) -> Any:
        outer = getattr(_state, "memo", None)
        _state.memo = {}
        try:
            return method(self, request, context)
        finally:
            _state.memo = outer  # the request's dicts go with it

    call.sdk_original = method  # type: ignore[attr-defined]
    call.__name__ = method.__name__
    return call


def _sdk_shape() -> tuple[Optional[Any], str]:
    """The SDK's policy module when it is the shape the memo expects; else None and why not."""
    try:
        from google.protobuf import json_format
        from pulumi_policy import deserialize, policy, version
    except ImportError as exc:
        return None, f"cannot import the policy SDK: {exc}"
    if getattr(version, "VERSION", None) != SDK_VERSION:
        return None, f"pulumi-policy {getattr(version, 'VERSION', '?')} is not {SDK_VERSION}, the version checked"
    servicer = getattr(policy, "_PolicyAnalyzerServicer", None)
    for name in MEMOIZED:
        if not callable(vars(servicer).get(name) if servicer is not None else None):
            # its own: the generated gRPC base class has one too, answering UNIMPLEMENTED
            return None, f"the SDK has no _PolicyAnalyzerServicer.{name}"
    if getattr(policy, "deserialize_properties", None) is not deserialize.deserialize_properties:
        return None, "the SDK's AnalyzeStack does not read properties through deserialize_properties"
    current = getattr(policy, "json_format", None)
    if current is not json_format and not isinstance(current, MemoJsonFormat):
        return None, "the SDK's policy module does not use google.protobuf.json_format"
    return policy, ""


def install() -> str:
    """Memoize the SDK's conversion; returns "" when installed (or already), else why not.
    Never raises: a pack that cannot be sped up still runs."""
    try:
        policy, reason = _sdk_shape()
        if policy is None:
            return reason
        if not isinstance(policy.json_format, MemoJsonFormat):
            policy.json_format = MemoJsonFormat(policy.json_format)
        servicer = policy._PolicyAnalyzerServicer
        for name in MEMOIZED:
            if not hasattr(getattr(servicer, name), "sdk_original"):
                setattr(servicer, name, _memoized(getattr(servicer, name)))
        return ""
    except Exception as exc:  # the memo is an optimisation: whatever went wrong, run unpatched
        uninstall()
        return f"could not install: {exc}"


def uninstall() -> None:
    """Put the SDK back as it was."""
    try:
        from pulumi_policy import policy
    except ImportError:
        return
    if isinstance(getattr(policy, "json_format", None), MemoJsonFormat):
        policy.json_format = policy.json_format.real
    servicer = getattr(policy, "_PolicyAnalyzerServicer", None)
    for name in MEMOIZED:
        original = getattr(getattr(servicer, name, None), "sdk_original", None)
        if original is not None:
            setattr(servicer, name, original)


def installed() -> bool:
    try:
        from pulumi_policy import policy
    except ImportError:
        return False
    servicer = getattr(policy, "_PolicyAnalyzerServicer", None)
    return isinstance(getattr(policy, "json_format", None), MemoJsonFormat) and all(
        hasattr(getattr(servicer, name, None), "sdk_original") for name in MEMOIZED
    )
