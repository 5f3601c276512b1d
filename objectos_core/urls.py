"""What an artifact URL may hold, and how a message shows one.

The artifact URL lands in the pod's environment, SSM, stack outputs and the release
history in plain text, so it must carry no credential: not before the host
(`user:password@`) and not in the query string (a presigned S3 URL's
`X-Amz-Signature`, an Azure SAS `sv=...&sig=...`, `?token=`, `?auth=`). Every
message quotes a URL through `shown`, which masks those parts and escapes line
breaks, so a refusal never repeats the secret it refuses.

Pure and standard library only.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

MASK = "***"
SHOWN_CHARACTERS = 160
# Query parameters that carry a credential, by name (case-insensitive) ...
CREDENTIAL_PARAMETERS = frozenset(
    {
        "sig",
        "auth",
        "code",
        "key",
    }
)
# ... or by a part of their name: X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
# X-Goog-Signature, access_token, api_key, client_secret, password, Signature, Policy...
CREDENTIAL_WORDS = re.compile(r"(?i)sig|token|secret|passw|credential|signature|apikey|api[-_]key|policy|auth")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def _parameters(query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name or value:
            pairs.append((name, value))
    return pairs


def credential_parameters(url: str) -> list[str]:
    """Names of the query parameters of `url` that carry a credential."""
    query = urlsplit(url).query if isinstance(url, str) else ""
    return [
        name for name, _ in _parameters(query) if name.lower() in CREDENTIAL_PARAMETERS or CREDENTIAL_WORDS.search(name)
    ]


def problems(url: str, schemes: tuple[str, ...] = ("https", "file")) -> list[str]:
    """Why `url` cannot be an artifact URL; no message repeats a credential or the raw value."""
    if not isinstance(url, str) or not url:
        return ["must be a URL to objectstack.json"]
    found = []
    unsafe = _UNSAFE.search(url)
    if unsafe:
        kind = {"\n": "a line break", "\r": "a carriage return", " ": "a space", "\t": "a tab"}.get(
            unsafe.group(), "a control character"
        )
        hint = " (percent-encode it as %20)" if unsafe.group() == " " else ""
        found.append(f"holds {kind}; a URL has none{hint}")
    try:
        parts: SplitResult = urlsplit(url)
        parts.port  # noqa: B018  (urllib checks the port only when it is read)
    except ValueError:
        return [*found, "is not a URL (its host or port cannot be read)"]
    if parts.scheme not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        found.append(f"must be an {allowed} URL to objectstack.json")
    elif parts.scheme != "file" and not parts.hostname:
        found.append("has no host; write https://HOST/path/objectstack.json#sha256=<64 hex>")
    if parts.username is not None or parts.password is not None:
        found.append(
            "carries a user name or password before the host; the URL lands in the pod env, SSM and stack "
            "outputs in plain text: serve the artifact without credentials in the URL"
        )
    names = credential_parameters(url)
    if names:
        found.append(
            f"carries a credential in its query string ({', '.join(dict.fromkeys(names))}); a presigned or "
            "SAS URL would be stored in plain text and expire: serve the artifact without credentials in the URL"
        )
    return found


def redacted(url: str) -> str:
    """`url` with the user info and every credential parameter's value masked."""
    if not isinstance(url, str):
        return repr(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = "&".join(
        f"{name}={MASK}" if name in credential_parameters(f"?{name}=") else (f"{name}={value}" if value else name)
        for name, value in _parameters(parts.query)
    )
    return parts._replace(netloc=netloc, query=query).geturl()


def shown(url: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`url` as a message quotes it: redacted, line breaks escaped, cut to `limit`."""
    if not isinstance(url, str):
        return repr(url)[:limit]
    text = redacted(_UNSAFE.sub(lambda m: repr(m.group())[1:-1] if m.group() != " " else "%20", url))
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"
