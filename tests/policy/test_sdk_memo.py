"""The pack's memo of the policy SDK's property conversion (policy/sdk_memo.py).

The pack is driven in this process: golive.analyzer's client speaks to the SDK's own servicer,
built from the pack's policies, so the memo can be switched on and off between two runs of the
same requests and the SDK's conversions can be counted.
"""

from __future__ import annotations

import runpy
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import StackValidationPolicy, version
from pulumi_policy import policy as sdk

from golive import analyzer
from golive.program import PROJECT
from policy import sdk_memo
from policy.enforcement import load_config
from policy.pack import DEFAULT_ENFORCEMENT, DESCRIPTION, PACK_NAME, POLICIES
from tests.policy.test_corpus import case_named, preview_of
from tests.policy.test_policy_pack import registration

ROOT = Path(__file__).resolve().parents[2]
STACK_POLICIES = sum(isinstance(p, StackValidationPolicy) for p in POLICIES)
RESOURCE_POLICIES = len(POLICIES) - STACK_POLICIES


class _Done:
    def __init__(self, value: Any):
        self.value = value

    def result(self) -> Any:
        return self.value


class _Method:
    def __init__(self, handler: Any):
        self.handler = handler

    def __call__(self, request: Any, timeout: Any = None) -> Any:
        return self.handler(request, None)

    def future(self, request: Any, timeout: Any = None) -> _Done:
        return _Done(self.handler(request, None))


class _Stub:
    def __init__(self, servicer: Any):
        self.servicer = servicer

    def __getattr__(self, method: str) -> _Method:
        return _Method(getattr(self.servicer, method))


class InProcessPack(analyzer.PolicyPackProcess):
    """golive.analyzer's client talking to the SDK's servicer of the pack's policies, in this process."""

    def __init__(self, policies: list = POLICIES):
        super().__init__()
        self.servicer = sdk._PolicyAnalyzerServicer(
            PACK_NAME, "1.0.0", policies, DEFAULT_ENFORCEMENT, description=DESCRIPTION
        )

    @property
    def stub(self) -> Any:
        return _Stub(self.servicer)


@pytest.fixture
def memo():
    """The memo installed for one test, and the SDK put back afterwards."""
    assert sdk_memo.install() == ""
    yield
    sdk_memo.uninstall()


@pytest.fixture
def no_memo():
    """The SDK as it ships, whatever an earlier test in this process installed."""
    sdk_memo.uninstall()
    yield


class Conversions:
    """Counts the real json_format.MessageToDict calls (the memo calls the module's attribute)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.count = 0
        real = json_format.MessageToDict

        def counting(message: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(message, *args, **kwargs)

        monkeypatch.setattr(json_format, "MessageToDict", counting)


def judged(pack: InProcessPack, preview: Any) -> list[analyzer.Diagnostic]:
    """The pack's diagnostics of a preview's graph, configured as golive.checklist.submit does."""
    pack.configure(load_config(preview.settings.environment), pack.info().policies)
    pack.configure_stack(preview.result.stack, PROJECT, {"objectos:environment": preview.settings.environment})
    return pack.submit(preview.result.resources).result()


def judged_with_and_without_memo(preview: Any) -> tuple[list, list]:
    sdk_memo.uninstall()
    without = judged(InProcessPack(), preview)
    assert sdk_memo.install() == ""
    try:
        with_memo = judged(InProcessPack(), preview)
    finally:
        sdk_memo.uninstall()
    return without, with_memo


def log_groups(count: int) -> list:
    return [
        registration("aws:cloudwatch/logGroup:LogGroup", f"logs{i}", {"name": f"/app/{i}", "retentionInDays": 400 + i})
        for i in range(count)
    ]


# --- the same verdicts -----------------------------------------------------------------------------


def test_the_prod_stack_gets_the_same_diagnostics_with_and_without_the_memo(previews):
    without, with_memo = judged_with_and_without_memo(previews("prod"))
    assert with_memo == without


@pytest.mark.parametrize("name", ["malformed-among-good-resources", "a-bucket-without-a-public-access-block"])
def test_a_violating_program_gets_the_same_diagnostics_with_and_without_the_memo(name):
    without, with_memo = judged_with_and_without_memo(preview_of(case_named(name).directory))
    assert without and any(d.enforcement == "mandatory" for d in without)  # there are verdicts to compare
    assert with_memo == without


def test_resources_with_identical_properties_each_get_their_own_verdict(memo, monkeypatch):
    """Two buckets share one converted dict; only the one without a public access block is reported."""
    same = {"objectLockEnabled": True}
    audit = registration("aws:s3/bucket:Bucket", "audit", same, protect=True)
    uploads = registration("aws:s3/bucket:Bucket", "uploads", same, protect=True)
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    block = registration(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-block", {"bucket": "audit", **flags}
    )
    assert audit.raw_inputs == uploads.raw_inputs
    pack = InProcessPack()
    pack.configure(load_config("prod"), pack.info().policies)
    conversions = Conversions(monkeypatch)
    found = [d for d in pack.analyze_stack([audit, uploads, block]) if d.policy == "s3-public-access-blocked"]
    assert conversions.count == 2  # the buckets' properties once, the block's once
    assert [(d.urn, d.message.split(".")[0]) for d in found] == [
        (uploads.urn, "bucket 'uploads' has no public access block")
    ]


# --- the cost ---------------------------------------------------------------------------------------


def test_one_stack_request_converts_each_resource_once(memo, monkeypatch):
    resources = log_groups(30)
    pack = InProcessPack()
    conversions = Conversions(monkeypatch)
    pack.analyze_stack(resources)
    assert conversions.count == len(resources)


def test_without_the_memo_the_sdk_converts_each_resource_once_per_stack_policy(no_memo, monkeypatch):
    """What the count above guards against: the SDK's own loop."""
    resources = log_groups(30)
    pack = InProcessPack()
    conversions = Conversions(monkeypatch)
    pack.analyze_stack(resources)
    assert STACK_POLICIES > 1 and conversions.count == len(resources) * STACK_POLICIES


def test_installing_twice_memoizes_once(memo, monkeypatch):
    assert sdk_memo.install() == ""
    assert sdk.json_format.real is json_format
    assert not hasattr(sdk._PolicyAnalyzerServicer.AnalyzeStack.sdk_original, "sdk_original")
    conversions = Conversions(monkeypatch)
    InProcessPack().analyze_stack(log_groups(5))
    assert conversions.count == 5


# --- nothing outlives its request -------------------------------------------------------------------


def test_each_request_converts_afresh(memo, monkeypatch):
    resources = log_groups(10)
    pack = InProcessPack()
    conversions = Conversions(monkeypatch)
    pack.analyze_stack(resources)
    pack.analyze_stack(resources)
    assert conversions.count == 2 * len(resources)


def analyze_request(resource: Any) -> pb.AnalyzeRequest:
    return pb.AnalyzeRequest(urn=resource.urn, type=resource.type, name=resource.name, properties=resource.raw_inputs)


def test_after_a_stack_request_a_resource_call_converts_its_resource_afresh_and_once(memo, monkeypatch):
    resources = log_groups(3)
    pack = InProcessPack()
    pack.analyze_stack(resources)
    conversions = Conversions(monkeypatch)
    pack.servicer.Analyze(analyze_request(resources[0]), None)
    assert conversions.count == 1  # its own memo: not the stack call's (0), not once per policy


def test_without_the_memo_a_resource_call_converts_once_per_resource_policy(no_memo, monkeypatch):
    conversions = Conversions(monkeypatch)
    InProcessPack().servicer.Analyze(analyze_request(log_groups(1)[0]), None)
    assert conversions.count == RESOURCE_POLICIES


def test_a_stack_request_that_fails_drops_its_memo(memo, monkeypatch):
    def broken(args: Any, report: Any) -> None:
        raise RuntimeError("a policy bug")

    pack = InProcessPack([*POLICIES, StackValidationPolicy("broken", "A policy that fails.", broken)])
    resources = log_groups(3)
    with pytest.raises(RuntimeError, match="a policy bug"):
        pack.servicer.AnalyzeStack(analyzer._stack_request(resources, {}), None)
    conversions = Conversions(monkeypatch)
    pack.servicer.Analyze(analyze_request(resources[0]), None)
    assert conversions.count == 1


def test_a_stack_request_on_one_thread_does_not_memoize_calls_on_another(memo, monkeypatch):
    """gRPC serves each call on a pool thread: an Analyze call beside an AnalyzeStack call has its own memo."""
    inside, release = threading.Event(), threading.Event()

    def hold(args: Any, report: Any) -> None:
        inside.set()
        release.wait(60)

    pack = InProcessPack([*POLICIES, StackValidationPolicy("hold", "Waits while the test asks.", hold)])
    resources = log_groups(3)
    stack = threading.Thread(target=pack.servicer.AnalyzeStack, args=(analyzer._stack_request(resources, {}), None))
    stack.start()
    try:
        assert inside.wait(60)  # every stack policy before `hold` has converted every resource
        conversions = Conversions(monkeypatch)
        pack.servicer.Analyze(analyze_request(resources[0]), None)
        assert conversions.count == 1  # 0 would be the other thread's memo
    finally:
        release.set()
        stack.join(60)


# --- an SDK the memo was not written for ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda mp: mp.setattr(version, "VERSION", "1.22.0"), "pulumi-policy 1.22.0 is not 1.21.0"),
        (lambda mp: mp.delattr(sdk, "json_format"), "does not use google.protobuf.json_format"),
        (lambda mp: mp.delattr(sdk._PolicyAnalyzerServicer, "AnalyzeStack"), "no _PolicyAnalyzerServicer.AnalyzeStack"),
        (lambda mp: mp.setattr(sdk, "deserialize_properties", lambda p: dict(p)), "through deserialize_properties"),
    ],
)
def test_an_sdk_of_another_shape_is_left_as_it_is(no_memo, monkeypatch, change, reason):
    change(monkeypatch)
    assert reason in sdk_memo.install()
    assert not sdk_memo.installed()
    assert not isinstance(getattr(sdk, "json_format", None), sdk_memo.MemoJsonFormat)


def test_the_unpatched_sdk_still_judges_the_stack(no_memo, monkeypatch):
    monkeypatch.setattr(version, "VERSION", "1.22.0")
    assert sdk_memo.install()
    group = registration(
        "aws:cloudwatch/logGroup:LogGroup", "audit-logs", {"name": "/objectos/prod/audit", "retentionInDays": 30}
    )
    pack = InProcessPack()
    pack.configure(load_config("prod"), pack.info().policies)
    assert [d for d in pack.analyze_stack([group]) if d.policy == "audit-log-retention" and d.urn == group.urn]


def test_the_pack_entry_point_installs_the_memo_before_it_builds_the_pack(no_memo, monkeypatch):
    seen = []
    monkeypatch.setattr("pulumi_policy.PolicyPack", lambda **_: seen.append(sdk_memo.installed()))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the entry point puts the repository first
    try:
        runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    finally:
        sdk_memo.uninstall()
    assert seen == [True]
