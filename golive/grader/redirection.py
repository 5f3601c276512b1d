"""redirection: the Observatory's src/analyzer/tests/redirection.js.

The chain is every URL the plain-HTTP request went through, from http://host/ to the
final answer. The preload list is not consulted (see the package's differences), so
redirection-all-redirects-preloaded is never given.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit

from golive.grader.model import Outcome, Response

NAME = "redirection"


class Result(StrEnum):
    ALL_REDIRECTS_PRELOADED = "redirection-all-redirects-preloaded"
    TO_HTTPS = "redirection-to-https"
    NOT_NEEDED_NO_HTTP = "redirection-not-needed-no-http"
    OFF_HOST_FROM_HTTP = "redirection-off-host-from-http"
    NOT_TO_HTTPS_ON_INITIAL_REDIRECTION = "redirection-not-to-https-on-initial-redirection"
    NOT_TO_HTTPS = "redirection-not-to-https"
    MISSING = "redirection-missing"
    INVALID_CERT = "redirection-invalid-cert"
    NOT_TESTED = "redirection-not-tested"  # ours: the caller did not run the redirect check


TABLE = {
    Result.ALL_REDIRECTS_PRELOADED: (0, "Every host in the redirect chain is on the HSTS preload list."),
    Result.TO_HTTPS: (0, "Plain HTTP redirects to HTTPS on the same host at the first hop."),
    Result.NOT_NEEDED_NO_HTTP: (0, "The site does not answer plain HTTP, so no redirect is needed."),
    Result.OFF_HOST_FROM_HTTP: (
        -5,
        "Plain HTTP redirects to another host ({target}) at the first hop; redirect to https:// on the same host first, so HSTS can be set.",
    ),
    Result.NOT_TO_HTTPS_ON_INITIAL_REDIRECTION: (
        -10,
        "Plain HTTP first redirects to another http:// URL ({target}); redirect straight to https:// on the same host.",
    ),
    Result.NOT_TO_HTTPS: (
        -20,
        "Plain HTTP redirects but never reaches HTTPS (ends at {target}); redirect to https:// on the same host.",
    ),
    Result.MISSING: (
        -20,
        "Plain HTTP does not redirect to HTTPS; answer http:// requests with a 301 to the same host on https://.",
    ),
    Result.INVALID_CERT: (-20, "The HTTPS certificate is not trusted; serve a valid certificate."),
    Result.NOT_TESTED: (
        0,
        "The HTTP-to-HTTPS redirect was not tested, so it scored 0; run the redirect check (the Observatory takes 20 points if it is missing).",
    ),
}


def _chain_result(route: tuple[str, ...]) -> Outcome:
    if not route:
        return Outcome(Result.NOT_NEEDED_NO_HTTP)
    if len(route) == 1:
        return Outcome(Result.MISSING)
    parts = [urlsplit(url) for url in route]
    if parts[-1].scheme != "https":
        return Outcome(Result.NOT_TO_HTTPS, {"target": route[-1]})
    if parts[1].scheme == "http":
        return Outcome(Result.NOT_TO_HTTPS_ON_INITIAL_REDIRECTION, {"target": route[1]})
    if parts[0].scheme == "http" and parts[1].scheme == "https" and parts[0].hostname != parts[1].hostname:
        return Outcome(Result.OFF_HOST_FROM_HTTP, {"target": route[1]})
    return Outcome(Result.TO_HTTPS)


def check(response: Response) -> Outcome:
    if response.redirects is not None:
        return _chain_result(response.redirects)
    one_hop = {True: Result.TO_HTTPS, False: Result.MISSING, None: Result.NOT_TESTED}
    return Outcome(one_hop[response.redirects_to_https])
