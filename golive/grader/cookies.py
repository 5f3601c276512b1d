"""cookies: the Observatory's src/analyzer/tests/cookies.js.

The Observatory grades the cookies its cookie jar (tough-cookie) keeps, as a browser
would: a later Set-Cookie with the same name, domain and path replaces the earlier one,
lines that do not parse as a cookie are dropped, and so are __Secure-/__Host- cookies
that break their prefix rules. Expired cookies stay in the jar and are graded. Any raw
Set-Cookie line with an empty or unknown SameSite counts as invalid, even one the jar
drops, unless the jar ends up empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from golive.grader import strict_transport_security as hsts
from golive.grader.model import Outcome, Response

NAME = "cookies"


class Result(StrEnum):
    SECURE_WITH_HTTPONLY_SESSIONS_AND_SAMESITE = "cookies-secure-with-httponly-sessions-and-samesite"
    SECURE_WITH_HTTPONLY_SESSIONS = "cookies-secure-with-httponly-sessions"
    NOT_FOUND = "cookies-not-found"
    WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS = "cookies-without-secure-flag-but-protected-by-hsts"
    SESSION_WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS = "cookies-session-without-secure-flag-but-protected-by-hsts"
    WITHOUT_SECURE_FLAG = "cookies-without-secure-flag"
    SAMESITE_FLAG_INVALID = "cookies-samesite-flag-invalid"
    ANTICSRF_WITHOUT_SAMESITE_FLAG = "cookies-anticsrf-without-samesite-flag"
    SESSION_WITHOUT_HTTPONLY_FLAG = "cookies-session-without-httponly-flag"
    SESSION_WITHOUT_SECURE_FLAG = "cookies-session-without-secure-flag"


TABLE = {
    Result.NOT_FOUND: (0, "No cookies are set, so there is nothing to protect."),
    Result.SECURE_WITH_HTTPONLY_SESSIONS_AND_SAMESITE: (
        5,
        "All cookies are Secure, session cookies are HttpOnly, and every cookie sets SameSite.",
    ),
    Result.SECURE_WITH_HTTPONLY_SESSIONS: (
        0,
        "Cookies are Secure and session cookies HttpOnly, but {names} lack SameSite; add SameSite=Lax or Strict to earn +5.",
    ),
    Result.WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS: (
        -5,
        "Cookie(s) {names} lack the Secure flag (HSTS limits the exposure); add Secure.",
    ),
    Result.SESSION_WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS: (
        -10,
        "Session cookie(s) {names} lack the Secure flag (HSTS limits the exposure); add Secure.",
    ),
    Result.WITHOUT_SECURE_FLAG: (
        -20,
        "Cookie(s) {names} lack the Secure flag; add Secure and serve them over HTTPS with HSTS.",
    ),
    Result.SAMESITE_FLAG_INVALID: (
        -20,
        "Cookie(s) {names} have an empty or unrecognised SameSite value, or SameSite=None without Secure; use SameSite=Lax or Strict.",
    ),
    Result.ANTICSRF_WITHOUT_SAMESITE_FLAG: (
        -20,
        "Anti-CSRF cookie(s) {names} lack SameSite; add SameSite=Lax or Strict.",
    ),
    Result.SESSION_WITHOUT_HTTPONLY_FLAG: (
        -30,
        "Session cookie(s) {names} lack HttpOnly, so an injected script can steal them; add HttpOnly.",
    ),
    Result.SESSION_WITHOUT_SECURE_FLAG: (
        -40,
        "Session cookie(s) {names} lack the Secure flag; add Secure and serve them over HTTPS with HSTS.",
    ),
}

# Best to worst, as the Observatory ranks them (its order, not strictly by modifier).
SEVERITY = (
    Result.WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS,
    Result.WITHOUT_SECURE_FLAG,
    Result.SESSION_WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS,
    Result.SAMESITE_FLAG_INVALID,
    Result.ANTICSRF_WITHOUT_SAMESITE_FLAG,
    Result.SESSION_WITHOUT_HTTPONLY_FLAG,
    Result.SESSION_WITHOUT_SECURE_FLAG,
)
_IGNORED = frozenset({"heroku-session-affinity"})  # the Observatory skips it (case-sensitive)
_SAMESITE_VALUES = ("strict", "lax", "none")
_CONTROL = re.compile(r"[\x00-\x1f]")
_TERMINATORS = ("\n", "\r", "\0")


@dataclass(frozen=True)
class Cookie:
    name: str
    domain: str  # the Domain attribute, lower-case without its leading dot; "" for a host-only cookie
    path: str
    secure: bool
    http_only: bool
    same_site: str | None  # "strict" / "lax" / "none"; None when absent or unrecognised


def parse_cookie(raw: str) -> Cookie | None:
    """One Set-Cookie line as tough-cookie parses it (RFC 6265 section 5.2), or None when
    it is not a cookie. A missing or relative Path is taken as "/", the default path of
    a request for "/"."""
    text = raw.strip()
    pair, _, attributes = text.partition(";")
    for terminator in _TERMINATORS:
        pair = pair.split(terminator, 1)[0]
    eq = pair.find("=")
    if eq <= 0:
        return None  # no name
    name, value = pair[:eq].strip(), pair[eq + 1 :].strip()
    if _CONTROL.search(name) or _CONTROL.search(value):
        return None
    domain, path, secure, http_only, same_site = "", "/", False, False, None
    for attribute in attributes.split(";"):
        key, sep, val = attribute.strip().partition("=")
        key, val = key.strip().lower(), val.strip() if sep else ""
        if key == "domain" and val.removeprefix("."):
            domain = val.removeprefix(".").lower()
        elif key == "path":
            path = val if val.startswith("/") else "/"
        elif key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = val.lower() if val.lower() in _SAMESITE_VALUES else None
    if name.startswith("__Secure-") and not secure:
        return None
    if name.startswith("__Host-") and not (secure and not domain and path == "/"):
        return None
    return Cookie(name, domain, path, secure, http_only, same_site)


def jar(raw_cookies: Iterable[str]) -> list[Cookie]:
    """The cookies a jar keeps: the last one for each (name, domain, path), in first-seen order."""
    kept: dict[tuple[str, str, str], Cookie] = {}
    for cookie in filter(None, map(parse_cookie, raw_cookies)):
        kept[(cookie.name, cookie.domain, cookie.path)] = cookie
    return [c for c in kept.values() if c.name not in _IGNORED]


def has_invalid_same_site(raw: str) -> bool:
    """The Observatory's raw-line check: a SameSite attribute that is empty or not strict/lax/none."""
    for part in raw.strip().split(";"):
        key, *rest = part.strip().split("=")
        if key.strip().lower() == "samesite":
            value = rest[0] if rest else ""
            if not value or value.strip().lower() not in _SAMESITE_VALUES:
                return True
    return False


def _findings(cookie: Cookie, hsts: bool) -> list[Result]:
    name = cookie.name.lower()
    session = "login" in name or "sess" in name
    found = []
    if not cookie.secure and cookie.same_site == "none":
        found.append(Result.SAMESITE_FLAG_INVALID)
    if not cookie.secure:
        found.append(Result.WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS if hsts else Result.WITHOUT_SECURE_FLAG)
    if "csrf" in name and cookie.same_site is None:
        found.append(Result.ANTICSRF_WITHOUT_SAMESITE_FLAG)
    if session and not cookie.secure:
        found.append(
            Result.SESSION_WITHOUT_SECURE_FLAG_BUT_PROTECTED_BY_HSTS if hsts else Result.SESSION_WITHOUT_SECURE_FLAG
        )
    if session and not cookie.http_only:
        found.append(Result.SESSION_WITHOUT_HTTPONLY_FLAG)
    return found


def grade_cookies(raw_cookies: Sequence[str], *, hsts: bool) -> Outcome:
    """hsts: the strict-transport-security test passed (it softens a missing Secure flag)."""
    cookies = jar(raw_cookies)
    if not cookies:
        return Outcome(Result.NOT_FOUND)
    findings = [(result, c.name) for c in cookies for result in _findings(c, hsts)]
    invalid_lines = [raw for raw in raw_cookies if has_invalid_same_site(raw)]
    findings += [(Result.SAMESITE_FLAG_INVALID, raw.split("=", 1)[0].strip()) for raw in invalid_lines]
    if findings:
        worst = max((result for result, _ in findings), key=SEVERITY.index)
        names = ", ".join(sorted({name for result, name in findings if result == worst}))
        return Outcome(worst, {"names": names})
    no_same_site = sorted(c.name for c in cookies if c.same_site is None)
    if no_same_site:
        return Outcome(Result.SECURE_WITH_HTTPONLY_SESSIONS, {"names": ", ".join(no_same_site)})
    return Outcome(Result.SECURE_WITH_HTTPONLY_SESSIONS_AND_SAMESITE)


def check(response: Response) -> Outcome:
    return grade_cookies(response.cookies, hsts=hsts.check(response).result in hsts.PASSING)
