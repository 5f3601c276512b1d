"""subresource-integrity: the Observatory's src/analyzer/tests/subresource-integrity.js.

Needs the body of an HTML response; without one it says so (sri-not-tested, 0). Script
origins are compared by registrable domain, taken here as the host's last two labels
(the Observatory uses the public-suffix list; see the package's differences).
"""

from __future__ import annotations

import re
from enum import StrEnum
from html.parser import HTMLParser
from urllib.parse import urlsplit

from golive.grader.model import Outcome, Response

NAME = "subresource-integrity"


class Result(StrEnum):
    IMPLEMENTED_AND_ALL_SCRIPTS_LOADED_SECURELY = "sri-implemented-and-all-scripts-loaded-securely"
    IMPLEMENTED_AND_EXTERNAL_SCRIPTS_LOADED_SECURELY = "sri-implemented-and-external-scripts-loaded-securely"
    NOT_IMPLEMENTED_RESPONSE_NOT_HTML = "sri-not-implemented-response-not-html"
    NOT_IMPLEMENTED_BUT_NO_SCRIPTS_LOADED = "sri-not-implemented-but-no-scripts-loaded"
    NOT_IMPLEMENTED_BUT_ALL_SCRIPTS_LOADED_FROM_SECURE_ORIGIN = (
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    )
    NOT_IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_LOADED_SECURELY = "sri-not-implemented-but-external-scripts-loaded-securely"
    IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY = "sri-implemented-but-external-scripts-not-loaded-securely"
    NOT_IMPLEMENTED_AND_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY = (
        "sri-not-implemented-and-external-scripts-not-loaded-securely"
    )
    NOT_TESTED = "sri-not-tested"  # ours: an HTML response whose body was not passed in


TABLE = {
    Result.IMPLEMENTED_AND_ALL_SCRIPTS_LOADED_SECURELY: (
        5,
        "Every script is loaded over HTTPS with an integrity hash.",
    ),
    Result.IMPLEMENTED_AND_EXTERNAL_SCRIPTS_LOADED_SECURELY: (
        5,
        "Scripts from other origins are loaded over HTTPS with integrity hashes.",
    ),
    Result.NOT_IMPLEMENTED_RESPONSE_NOT_HTML: (0, "The response is not HTML, so it loads no scripts."),
    Result.NOT_IMPLEMENTED_BUT_NO_SCRIPTS_LOADED: (0, "The page loads no scripts."),
    Result.NOT_IMPLEMENTED_BUT_ALL_SCRIPTS_LOADED_FROM_SECURE_ORIGIN: (
        0,
        "Scripts come from this site only; add integrity hashes to earn +5.",
    ),
    Result.NOT_IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_LOADED_SECURELY: (
        -5,
        "Scripts from other origins ({scripts}) have no integrity hash; add integrity= and crossorigin= to each.",
    ),
    Result.IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY: (
        -20,
        "Scripts from other origins ({scripts}) load over plain or protocol-relative HTTP; load them over https://.",
    ),
    Result.NOT_IMPLEMENTED_AND_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY: (
        -50,
        "Scripts from other origins ({scripts}) load without HTTPS and without integrity hashes; load them over https:// with integrity=.",
    ),
    Result.NOT_TESTED: (0, "The page is HTML but its body was not checked for scripts, so this scored 0."),
}

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Later results replace earlier ones only when further right (the Observatory's onlyIfWorse).
_GOODNESS = (
    Result.IMPLEMENTED_AND_ALL_SCRIPTS_LOADED_SECURELY,
    Result.IMPLEMENTED_AND_EXTERNAL_SCRIPTS_LOADED_SECURELY,
    Result.IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY,
    Result.NOT_IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_LOADED_SECURELY,
    Result.NOT_IMPLEMENTED_AND_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY,
    Result.NOT_IMPLEMENTED_RESPONSE_NOT_HTML,
)
_PROTOCOL_RELATIVE = re.compile(r"^//[^/]")
_FULL_URL = re.compile(r"^https?://", re.IGNORECASE)
_IP = re.compile(r"^[\d.]+$|:")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str, str]] = []  # (src, integrity); "" when absent

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            found = {k: (v or "") for k, v in reversed(attrs)}  # the first copy of an attribute wins
            self.scripts.append((found.get("src", "").strip(), found.get("integrity", "")))


def _domain(host: str | None) -> str | None:
    if not host or _IP.search(host):
        return None
    return ".".join(host.lower().rstrip(".").split(".")[-2:])


def _worse(new: Result, old: Result | None) -> Result:
    rank = {r: i for i, r in enumerate(_GOODNESS)}
    return new if old is None or rank.get(new, -1) > rank.get(old, -1) else old


def check(response: Response) -> Outcome:
    mime = (response.header("content-type") or "").split(";")[0]
    if mime not in HTML_TYPES:
        return Outcome(Result.NOT_IMPLEMENTED_RESPONSE_NOT_HTML)
    if response.body is None:
        return Outcome(Result.NOT_TESTED)
    parser = _Scripts()
    parser.feed(response.body)
    parser.close()
    if not parser.scripts:
        return Outcome(Result.NOT_IMPLEMENTED_BUT_NO_SCRIPTS_LOADED)
    result: Result | None = None
    foreign_seen, foreign = False, []
    for src, integrity in parser.scripts:
        if not src:
            continue
        relative_protocol = bool(_PROTOCOL_RELATIVE.match(src))
        full_url = bool(_FULL_URL.match(src))
        relative_origin = not relative_protocol and not full_url
        same_domain = relative_protocol or relative_origin or _domain(urlsplit(src).hostname) == _domain(response.host)
        secure_origin = relative_origin or (same_domain and not relative_protocol)
        secure_scheme = (full_url and src.lower().startswith("https:")) or (relative_origin and response.https)
        if not secure_origin:
            foreign_seen = True
            foreign.append(src)
            if integrity and not secure_scheme:
                result = _worse(Result.IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY, result)
            elif not integrity and secure_scheme:
                result = _worse(Result.NOT_IMPLEMENTED_BUT_EXTERNAL_SCRIPTS_LOADED_SECURELY, result)
            elif not integrity:
                result = _worse(Result.NOT_IMPLEMENTED_AND_EXTERNAL_SCRIPTS_NOT_LOADED_SECURELY, result)
        elif integrity and secure_scheme and result is None:
            result = Result.IMPLEMENTED_AND_ALL_SCRIPTS_LOADED_SECURELY
    if result is None:
        result = (
            Result.IMPLEMENTED_AND_EXTERNAL_SCRIPTS_LOADED_SECURELY
            if foreign_seen
            else Result.NOT_IMPLEMENTED_BUT_ALL_SCRIPTS_LOADED_FROM_SECURE_ORIGIN
        )
    return Outcome(result, {"scripts": " ".join(foreign)})
