"""Release policy: image and artifact pinned, and moved together."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from objectos_core.pins import pinned_artifact, pinned_image
from policy.policies._base import OBJECTOS_STACK, Config, Report, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import containers, is_workload
from policy.policies._props import UNKNOWN, get, parse_json, text

SSM_PARAMETER = "aws:ssm/parameter:Parameter"


def _release(graph: Graph, config: Config, report: Report) -> None:
    pairs: dict[tuple, list[str]] = {}
    for resource in graph.resources:
        if not is_workload(resource.resource_type):
            continue
        for container in containers(resource.resource_type, resource.props):
            image = container.image
            where = f"{resource.name} container '{container.name}'"
            if container.runs_objectos or config["pinAllImages"]:
                report.known(image, f"{where} image")
            if (
                isinstance(image, str)
                and not pinned_image(image)
                and (container.runs_objectos or config["pinAllImages"])
            ):
                report(
                    f"{where} runs '{image}', a tag that can move; pin it by digest (<repo>@sha256:<64 hex>)",
                    resource.urn,
                )
            if not container.runs_objectos:
                continue
            artifact = _artifact(container, where, resource.urn, report)
            if image is not UNKNOWN and artifact is not UNKNOWN:
                pairs.setdefault((image, artifact), []).append(where)
    if len(pairs) > 1:
        described = "; ".join(f"{', '.join(w[:3])} -> {img} + {art}" for (img, art), w in list(pairs.items())[:3])
        more = f"; and {len(pairs) - 3} more" if len(pairs) > 3 else ""
        report(f"the workloads run different releases ({described}{more}); set image and artifact from one release")
    _release_record(graph, pairs, config, report)


def _artifact(container: Any, where: str, urn: str, report: Report) -> Any:
    url = container.literal("OS_ARTIFACT_URL")
    if url is None:
        if "OS_ARTIFACT_PATH" in container.env:
            return "path:" + str(container.literal("OS_ARTIFACT_PATH"))  # inside the image: pinned by its digest
        if container.by_reference("OS_ARTIFACT_URL"):
            return UNKNOWN
        report(f"{where} has no OS_ARTIFACT_URL: the runtime has no pinned artifact to load", urn)
        return None
    if isinstance(url, str) and not pinned_artifact(url):
        report(f"{where} loads '{url}' without an integrity pin; use an https URL ending in #sha256=<64 hex>", urn)
    return url


def _release_record(graph: Graph, pairs: dict, config: Config, report: Report) -> None:
    records = [p for p in graph.of_type(SSM_PARAMETER) if _is_release_record(p)]
    if not records:
        if config["requireReleaseRecord"] and pairs:
            report.missing(
                "no release record (SSM parameter /objectos/<stack>/release) pairs image and artifact for rollback"
            )
        return
    for record in records:
        value = parse_json(get(record.props, "insecureValue") or get(record.props, "value"))
        if not isinstance(value, dict):
            continue
        pair = (value.get("image"), value.get("artifactUrl"))
        if pairs and pair not in pairs:
            report(
                f"the release record holds {pair[0]} + {pair[1]}, not what the workloads run; "
                "change the release only with `golive release`",
                record.urn,
            )


def _is_release_record(parameter: Any) -> bool:
    name = text(get(parameter.props, "name")) or ""
    return name.endswith("/release")


release_pins_image_and_artifact = stack_policy(
    "release-pins-image-and-artifact",
    "Every workload must run an image pinned by digest and an artifact pinned by #sha256=, the server and "
    "the migration Job the same pair, recorded together so a rollback moves both.",
    Severity.CRITICAL,
    _release,
    kind=OBJECTOS_STACK,
    config={
        "pinAllImages": {
            "type": "boolean",
            "default": True,
            "description": "Require digests on every container, not only ObjectOS.",
        },
        "requireReleaseRecord": {"type": "boolean", "default": True, "description": "Require the SSM release record."},
    },
    tags=["release"],
)

POLICIES = [release_pins_image_and_artifact]
