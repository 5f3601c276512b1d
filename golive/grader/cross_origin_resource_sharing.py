"""cross-origin-resource-sharing: the Observatory's src/analyzer/tests/cors.js.

The Observatory sends a CORS preflight with its own Origin and reads the answer's
Access-Control-Allow-Origin (an empty one counts as absent). Pass that Origin as the
probe to spot a reflected origin.
"""

from __future__ import annotations

from enum import StrEnum

from golive.grader.model import Outcome, Response

NAME = "cross-origin-resource-sharing"


class Result(StrEnum):
    NOT_IMPLEMENTED = "cross-origin-resource-sharing-not-implemented"
    PUBLIC_ACCESS = "cross-origin-resource-sharing-implemented-with-public-access"
    RESTRICTED_ACCESS = "cross-origin-resource-sharing-implemented-with-restricted-access"
    UNIVERSAL_ACCESS = "cross-origin-resource-sharing-implemented-with-universal-access"


TABLE = {
    Result.NOT_IMPLEMENTED: (0, "No Access-Control-Allow-Origin header, so other sites cannot read this content."),
    Result.PUBLIC_ACCESS: (
        0,
        "Access-Control-Allow-Origin is '*' without credentials, so any site can read this content; make sure it holds nothing private.",
    ),
    Result.RESTRICTED_ACCESS: (0, "Access-Control-Allow-Origin is limited to {origin}{note}."),
    Result.UNIVERSAL_ACCESS: (
        -50,
        "{problem}; when credentials are needed allow only a fixed list of trusted origins, otherwise drop Access-Control-Allow-Credentials.",
    ),
}

_WILDCARD_WITH_CREDENTIALS = (
    "Access-Control-Allow-Origin '*' is sent with Access-Control-Allow-Credentials: true, "
    "which browsers reject and which shows credentialed CORS is being opened to every site"
)


def check(response: Response) -> Outcome:
    acao = response.non_empty("access-control-allow-origin")
    if acao is None:
        return Outcome(Result.NOT_IMPLEMENTED)
    credentials = (response.header("access-control-allow-credentials") or "").strip().lower() == "true"
    probe = response.cors_origin_probe
    reflected = probe is not None and acao == probe
    if acao[:256].strip().lower() == "*":
        if credentials:
            # Deliberate: the Observatory calls this public access (0).
            return Outcome(Result.UNIVERSAL_ACCESS, {"problem": _WILDCARD_WITH_CREDENTIALS})
        return Outcome(Result.PUBLIC_ACCESS)
    if reflected and credentials:
        problem = (
            f"Access-Control-Allow-Origin echoes the untrusted probe origin {probe} with "
            "Access-Control-Allow-Credentials: true, so any site can read responses with the user's cookies"
        )
        return Outcome(Result.UNIVERSAL_ACCESS, {"problem": problem})
    note = (
        " (it echoed the untrusted probe origin, which is harmless only while Access-Control-Allow-Credentials stays off)"
        if reflected
        else ""
    )
    return Outcome(Result.RESTRICTED_ACCESS, {"origin": acao.strip(), "note": note})
