"""What the preview says about a stack file's own keys, beside `config:`.

Pulumi keeps two things in `Pulumi.<stack>.yaml` that the configuration checks never see
(docs: pulumi.com/docs/iac/concepts/projects/stack-settings-file):

- the secrets provider: `secretsprovider` (`default`, `passphrase`, or an `awskms://`,
  `azurekeyvault://`, `gcpkms://`, `hashivault://` URL), with `encryptionsalt` for the
  passphrase provider and `encryptedkey` (the KMS-encrypted data key) for a cloud one. A
  `secure:` value decrypts only under the provider and key it was written with;
- `environment:`, the Pulumi ESC environments whose `pulumiConfig` `pulumi up` merges into
  the stack's configuration.

Two rules, each a finding on the stack (resource none, the key named, the file line kept):

- `stack-secrets-match-provider` fails when the file's provider keys contradict each other or
  cannot decrypt what it holds (a cloud provider without its `encryptedkey`, a passphrase
  provider without its salt, an unknown provider): `pulumi up` would stop in any environment.
  It is not judged for a `secure:` value that is a placeholder (the kit's examples: text
  starting `placeholder`, never ciphertext), and for values under no provider keys at all,
  which only Pulumi Cloud's default provider can decrypt: the preview cannot tell the backend.
- `stack-esc-environments-seen`: the preview cannot open ESC, so it never sees the values an
  environment adds. Not judged outside prod; in prod, where every item must be judged on what
  deploys, it fails (a waiver with its reason accepts it).

Pure functions of `StackConfig`; odd values (a list where Pulumi writes text) are findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Optional

from ruamel.yaml.error import YAMLError

from golive import locations
from golive.results import Enforcement, Finding, Source, Status
from settings import files
from settings.load import Secure, StackConfig, environments

SECRETS_RULE = "stack-secrets-match-provider"
ESC_RULE = "stack-esc-environments-seen"
RULES = (SECRETS_RULE, ESC_RULE)

CLOUD_SCHEMES = ("awskms", "azurekeyvault", "gcpkms", "hashivault")
PROVIDERS = "default, passphrase, or a " + ", ".join(f"{s}://" for s in CLOUD_SCHEMES) + " URL"
PLACEHOLDER = "placeholder"
"""A `secure:` value starting with this word is an example, not ciphertext (the kit's own stacks)."""
_SALT = re.compile(r"v1:[A-Za-z0-9+/=]+:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")  # as Pulumi writes encryptionsalt
SET_SECRET = "pulumi config set --secret --path '<key>' < <file>"
MANDATORY, ADVISORY = Enforcement.MANDATORY, Enforcement.ADVISORY


def findings(config: StackConfig, prod: bool) -> list[Finding]:
    """The two rules' findings for this stack file (none for a stack with neither secrets nor ESC)."""
    lines = _key_lines(config.source)
    return [*secrets_findings(config, lines), *environment_findings(config, prod, lines)]


def secrets_findings(
    config: StackConfig, lines: Optional[Mapping[locations.Key, locations.Mark]] = None
) -> list[Finding]:
    lines = lines or {}
    where = _locator(config.source, lines)
    secure = list(_secure_values(config.values))
    placeholders = [key for key, ciphertext in secure if _is_placeholder(ciphertext)]
    real = [(key, ciphertext) for key, ciphertext in secure if not _is_placeholder(ciphertext)]
    found = [
        _finding(SECRETS_RULE, Status.NOT_JUDGED, MANDATORY, _placeholder_reason(key), key, where(key))
        for key in placeholders
    ]
    for key, ciphertext in real:
        if not isinstance(ciphertext, str) or not ciphertext.strip():
            reason = f"secure: holds no ciphertext; set the value again with `{SET_SECRET}`"
            found.append(_finding(SECRETS_RULE, Status.FAIL, MANDATORY, reason, key, where(key)))
    problems = list(_provider_problems(config.header, has_secrets=bool(real)))
    found += [
        _finding(SECRETS_RULE, Status.FAIL, MANDATORY, reason, name, where(name, top=True)) for name, reason in problems
    ]
    if problems or not real:
        return found
    provider = _provider(config.header)
    keys = [key for key, _ in real]
    if provider is None:
        reason = (
            f"{_count(keys)} under no secretsprovider, encryptionsalt or encryptedkey: only Pulumi Cloud's default "
            "provider can decrypt that, and the preview cannot tell the backend. On Pulumi Cloud write "
            "`secretsprovider: default`; on a file:// or s3:// backend create the stack with "
            "`pulumi stack init <stack> --secrets-provider <provider>` and set each value again"
        )
        found.append(_finding(SECRETS_RULE, Status.NOT_JUDGED, MANDATORY, reason, ", ".join(keys), where(keys[0])))
    else:
        reason = f"{_count(keys)} under the {_provider_name(provider)} secrets provider, with its key material"
        found.append(_finding(SECRETS_RULE, Status.PASS, MANDATORY, reason, ", ".join(keys), where(keys[0])))
    return found


def environment_findings(
    config: StackConfig, prod: bool, lines: Optional[Mapping[locations.Key, locations.Mark]] = None
) -> list[Finding]:
    if "environment" not in config.header or config.header["environment"] in (None, [], ""):
        return []
    where = _locator(config.source, lines or {})("environment", top=True)
    value = config.header["environment"]
    names = environments(config)
    if not names or (isinstance(value, list) and not all(isinstance(n, str) and n.strip() for n in value)):
        reason = (
            "environment: must name the Pulumi ESC environments to import: a name, a list of names, "
            "or an inline definition with imports: and values:"
        )
        return [_finding(ESC_RULE, Status.FAIL, MANDATORY, reason, "environment", where)]
    reason = (
        f"the stack imports the Pulumi ESC environment(s) {', '.join(names)}; `pulumi up` merges their "
        "pulumiConfig under this file's config, but the offline preview cannot open ESC, so this verdict "
        "covers the file's config only. Put the keys the stack takes from ESC under config: to have them judged"
    )
    if prod:
        reason += ", or record a waiver with the reason the imported values are safe"
        return [_finding(ESC_RULE, Status.FAIL, MANDATORY, reason, "environment", where)]
    return [_finding(ESC_RULE, Status.NOT_JUDGED, ADVISORY, reason, "environment", where)]


# --- the secrets provider ---------------------------------------------------------------


def _provider(header: Mapping[str, Any]) -> Optional[str]:
    """`default`, `passphrase`, a cloud URL, or None when the file names none (a salt alone is passphrase)."""
    provider = header.get("secretsprovider")
    if isinstance(provider, str) and provider.strip():
        return provider.strip()
    return "passphrase" if header.get("encryptionsalt") else None


def _scheme(provider: str) -> str:
    return provider.split("://", 1)[0] if "://" in provider else provider


def _provider_name(provider: str) -> str:
    return provider if provider in ("default", "passphrase") else f"{_scheme(provider)} ({provider})"


def _provider_problems(header: Mapping[str, Any], has_secrets: bool) -> Iterator[tuple[str, str]]:
    """(stack-file key, reason) for each way the provider keys cannot decrypt the file's secure values."""
    for name in ("secretsprovider", "encryptionsalt", "encryptedkey"):
        value = header.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            yield (
                name,
                f"{name}: must be the text Pulumi writes, not {files.shorten(value)!r}; restore it from version control",
            )
            return
    provider = _provider(header)
    salt, key = header.get("encryptionsalt"), header.get("encryptedkey")
    if provider is None:
        if key:
            yield (
                "encryptedkey",
                (
                    "encryptedkey without a secretsprovider: name the KMS key that made it "
                    "(secretsprovider: awskms://<key id or alias>?region=<region>)"
                ),
            )
        return
    scheme = _scheme(provider)
    if scheme not in ("default", "passphrase", *CLOUD_SCHEMES):
        yield (
            "secretsprovider",
            (
                f"secretsprovider: {files.shorten(provider)!r} is not a Pulumi secrets provider; use {PROVIDERS} "
                "(`pulumi stack change-secrets-provider`)"
            ),
        )
        return
    if scheme in CLOUD_SCHEMES:
        if salt:
            yield (
                "encryptionsalt",
                (
                    f"encryptionsalt belongs to the passphrase provider, but secretsprovider is {provider}: "
                    "a stack file names one provider; keep the keys `pulumi stack change-secrets-provider` wrote"
                ),
            )
        if not key and has_secrets:
            yield (
                "encryptedkey",
                (
                    f"secretsprovider {provider} has no encryptedkey beside it: the data key its secure: values "
                    "were encrypted with is missing, so none decrypts; restore encryptedkey from version control, "
                    "or create the stack with --secrets-provider and set each value again"
                ),
            )
        return
    if key:
        yield (
            "encryptedkey",
            (
                f"encryptedkey belongs to a cloud secrets provider, but the provider is {provider}: "
                "a stack file names one provider; keep the keys `pulumi stack change-secrets-provider` wrote"
            ),
        )
    if scheme == "default" and salt:
        yield (
            "encryptionsalt",
            (
                "encryptionsalt belongs to the passphrase provider, but secretsprovider is default (Pulumi Cloud): "
                "a stack file names one provider"
            ),
        )
    if scheme == "passphrase":
        if not salt and has_secrets:
            yield (
                "encryptionsalt",
                (
                    "the passphrase provider needs the stack's encryptionsalt, and the file has none: no secure: value "
                    "decrypts; restore encryptionsalt from version control, or set each value again"
                ),
            )
        elif salt and not _SALT.fullmatch(str(salt).strip()):
            yield (
                "encryptionsalt",
                (
                    "encryptionsalt is not as Pulumi writes it (v1:<salt>:v1:<nonce>:<ciphertext>); "
                    "restore it from version control"
                ),
            )


# --- secure values ----------------------------------------------------------------------


def _secure_values(values: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """('objectos:secretValues.OS_DATABASE_URL', ciphertext) for every `secure:` value, in file order."""

    def walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
        if isinstance(value, Secure):
            yield path, value.ciphertext
        elif isinstance(value, Mapping):
            for name, item in value.items():
                yield from walk(item, f"{path}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{index}]")

    for key, value in values.items():
        yield from walk(value, key)


def _is_placeholder(ciphertext: Any) -> bool:
    return isinstance(ciphertext, str) and ciphertext.strip().lower().startswith(PLACEHOLDER)


def _placeholder_reason(key: str) -> str:
    return (
        "a placeholder, not ciphertext (a real secure: value is bound to one stack's secrets key); before "
        f"`pulumi up`, delete it and set your own: `pulumi config set --secret --path '{key}' < <file>`"
    )


def _count(keys: list[str]) -> str:
    return "1 secure: value" if len(keys) == 1 else f"{len(keys)} secure: values"


def _finding(
    rule: str, status: Status, enforcement: Enforcement, reason: str, name: str, where: Optional[str]
) -> Finding:
    shown = reason if reason.startswith(name) else f"{name}: {reason}"  # the table shows the reason, not the name
    return Finding(rule, status, enforcement, shown, name=name, source=Source.SETTINGS, where=where)


# --- where a key sits -------------------------------------------------------------------


def _key_lines(source: str) -> Mapping[locations.Key, locations.Mark]:
    """Where each key of the stack file sits. The file was read and checked a moment ago (it is
    what `config` was loaded from), so it is only composed here; if it changed meanwhile and no
    longer reads, the findings stand without lines."""
    path = Path(source)
    try:
        return locations.marks(files.read_text(path).text, path, checked=True) if path.is_file() else {}
    except (files.InputFileError, YAMLError, RecursionError):
        return {}


def _locator(source: str, lines: Mapping[locations.Key, locations.Mark]) -> Any:
    def where(key: str, top: bool = False) -> Optional[str]:
        if not lines:
            return None
        if top:
            path: locations.Key = (key,)
        else:
            head, _, rest = key.partition(".")
            bare = head.split(":", 1)[1] if ":" in head else head
            parts = tuple(part for part in re.split(r"\.|\[(\d+)\]", rest) if part) if rest else ()
            steps = tuple(int(p) if p.isdigit() else p for p in parts)
            path = ("config", head, *steps) if ("config", head) in lines else ("config", bare, *steps)
        mark = locations.nearest(lines, path)
        if mark is None and top:  # a key the file lacks: the provider keys it goes with, or config:
            mark = next(
                (lines[(k,)] for k in ("secretsprovider", "encryptionsalt", "encryptedkey") if (k,) in lines), None
            )
        mark = mark or lines.get(("config",))
        return f"{source}:{mark[0]}" if mark else None

    return where
