"""Two owners on the real runtime, and the kit's access probes between them.

The open runtime is single-org: `OS_TENANCY_POSTURE=isolated` or `group` is fatal at boot
without the licensed @objectstack/organizations, so walls between organizations can only be
proven on a licensed image. The strictest posture the open runtime supports is `single`
with record-level security, and that is what is proven here: two users of the one
organization, each owning a record of a `private` object, and every cross-owner access
refused.

How the owners are made, all through the runtime's own API (17.4.0):

- the first sign-up on a fresh database (`POST /api/v1/auth/sign-up/email`) is the
  bootstrap administrator; after it self-registration is closed (the default audience
  posture, `invite_only`, answers 403 SELF_REGISTRATION_CLOSED), as it should be;
- the administrator creates owners A and B (`POST /api/v1/auth/admin/create-user`), and,
  when asked, grants each a permission set of the app (`POST /api/v1/data/sys_user_permission_set`);
  the rehearsal app's `rehearsal_editor` adds delete, which may not ride on the everyone
  baseline, so that "A deletes B's record" meets the record gate, not the object gate;
- each owner signs in (`POST /api/v1/auth/sign-in/email`; the answer's `token` is the
  bearer credential) and creates one record (`POST /api/v1/data/<object>`), which the
  runtime stamps with the caller as `owner_id`.

The database must isolate rows: the runtime's in-memory driver (`memory://`) refuses every
data request of a signed-in user with 503 (MEMORY_MULTI_TENANT_UNSUPPORTED: the engine
hands it the organization's scope and it has no row isolation), so the rehearsal of owners
runs on `DATABASE_URL`, SQLite compiled to WebAssembly in memory, which needs no native build.

What the runtime does with forged ownership, seen on 17.4.0: a write that names another
user as `owner_id` is refused (403, "requires the transfer grant"); `created_by` and
`organization_id` are server-managed and silently replaced by the caller's (the latter is
reported in `droppedFields`). So the probes send the `owner_id` forgery expecting a refusal,
and the `created_by` forgery expecting either answer followed by B querying for it: B must
see nothing, so it did not land as B's.

`rls_check` runs the runtime's own `os verify --rls` (without `--multi-tenant`, which needs
the licensed package). It cannot run against the rehearsal's running process: it boots the
app in-process from its source config (`objectstack.config.ts`) on an in-memory SQLite of
its own, with its own administrator and a probe persona holding an owner-scoped permission
set it adds itself. So it proves the app's authorization on this runtime version (CRUD
round trip, and a member cannot read or write another's record by id), while the probes
prove the running deployment behind its edge.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote

import httpx
from ruamel.yaml import YAML

from golive.rehearse.install import Installation
from golive.rehearse.runtime import process_env
from golive.verify.http import tls_context

DATABASE_URL = "wasm-sqlite://:memory:"
"""OS_DATABASE_URL for a rehearsal with owners: in-memory SQLite (WebAssembly), which isolates rows."""
POSTURE = "single"
"""The tenancy posture the open runtime supports and the rehearsal uses (OS_TENANCY_POSTURE unset)."""
REHEARSAL_OBJECT = "rehearsal_note"
REHEARSAL_GRANT = "rehearsal_editor"
"""The rehearsal app's permission set that adds delete (own records only) to the member baseline."""

AUTH, DATA = "/api/v1/auth", "/api/v1/data"
EMAIL_DOMAIN = "rehearsal.example"
TIMEOUT_SECONDS = 20.0
RLS_TIMEOUT_SECONDS = 300.0

ENV_PREFIX = "OBJECTOS_PROBE_OWNER"
A_TOKEN, B_TOKEN = f"{ENV_PREFIX}_A_TOKEN", f"{ENV_PREFIX}_B_TOKEN"
A_RECORD, B_RECORD = f"{ENV_PREFIX}_A_RECORD_ID", f"{ENV_PREFIX}_B_RECORD_ID"
B_USER, FORGED_TITLE = f"{ENV_PREFIX}_B_USER_ID", f"{ENV_PREFIX}_FORGED_TITLE"


class SeedFailed(Exception):
    """The runtime refused a step of making the owners; the message names the step and the HTTP status."""

    def __init__(self, step: str, status: Optional[int], detail: str) -> None:
        shown = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"tenancy seed: {step}: {shown}: {detail}")
        self.step, self.status, self.detail = step, status, detail


class RlsCheckFailed(Exception):
    """`os verify --rls` gave no report; `log` is the tail of its output."""

    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class Owner:
    """One user and the record it created."""

    label: str
    """'A' or 'B'."""
    email: str
    user_id: str
    record_id: str
    token: str = field(repr=False)  # the bearer credential: never in a repr or a test failure


@dataclass(frozen=True)
class Owners:
    """Owners A and B of one organization, each with one record of `object_name`."""

    base_url: str
    object_name: str
    a: Owner
    b: Owner
    marker: str
    """Unique to this seed: the title of the note A forges as B's."""
    admin_token: str = field(repr=False)
    granted: Optional[str] = None
    """The permission set the administrator granted both owners, if any."""

    @property
    def secret_values(self) -> list[str]:
        """What must never be printed: the three session tokens."""
        return [self.admin_token, self.a.token, self.b.token]


def seed(
    base_url: str,
    object_name: str = REHEARSAL_OBJECT,
    *,
    grant: Optional[str] = None,
    ca_file: Optional[Path] = None,
    client: Optional[httpx.Client] = None,
) -> Owners:
    """Make the bootstrap administrator, owners A and B, and one record each, through the runtime's API.

    Needs a fresh database (the first sign-up is the administrator). `grant` names a
    permission set of the app to give both owners; `ca_file` trusts a private CA (the
    rehearsal's edge). Raises SeedFailed naming the step the runtime refused.
    """
    session = _Session(base_url, client or _client(ca_file), owns=client is None)
    try:
        suffix = secrets.token_hex(4)
        admin_email = f"tenancy-admin-{suffix}@{EMAIL_DOMAIN}"
        signed_up = session.call(
            "sign up the bootstrap administrator (the first user of a fresh database)",
            "POST",
            f"{AUTH}/sign-up/email",
            {"email": admin_email, "password": _password(), "name": "tenancy admin"},
            hint="self-registration closes after the first sign-up: seed needs a fresh database",
        )
        admin = _field(signed_up, "token", "sign up the bootstrap administrator")
        permission_set = session.permission_set(admin, grant) if grant else None
        owners = [
            _owner(
                session, admin, label, f"tenancy-{label.lower()}-{suffix}@{EMAIL_DOMAIN}", object_name, permission_set
            )
            for label in ("A", "B")
        ]
    finally:
        session.close()
    return Owners(base_url, object_name, owners[0], owners[1], f"tenancy probe {suffix}: forged as B's", admin, grant)


def probes(owners: Owners) -> tuple[str, dict[str, str]]:
    """The kit's access probes for the two owners (a file `golive.verify.access.load` reads) and their env.

    The credentials and ids travel in the returned env, by name, as access.py requires;
    the file text holds no value of them.
    """
    data = f"{DATA}/{owners.object_name}"
    a = {"env": A_TOKEN, "kind": "bearer"}
    b = {"env": B_TOKEN, "kind": "bearer"}
    by_owner = quote(json.dumps({"owner_id": "__B__"}, separators=(",", ":")), safe="").replace(
        "__B__", f"${{{B_USER}}}"
    )
    entries: list[dict[str, Any]] = [
        _probe("control - A reads its own records", a, "GET", data, "allowed"),
        _probe("control - A reads its own record by id", a, "GET", f"{data}/${{{A_RECORD}}}", "allowed"),
        _probe("control - B reads its own record by id", b, "GET", f"{data}/${{{B_RECORD}}}", "allowed"),
        _probe("anonymous read of records", "anonymous", "GET", data, "denied"),
        _probe("anonymous read of B's record by id", "anonymous", "GET", f"{data}/${{{B_RECORD}}}", "denied"),
        _probe(
            "anonymous write of a record", "anonymous", "POST", data, "denied",
            body={"title": "golive verify probe - must be rejected"},
        ),
        _probe("A reads B's record by id", a, "GET", f"{data}/${{{B_RECORD}}}", "denied"),
        _probe("A lists B's records by filter", a, "GET", f"{data}?filter={by_owner}", ["denied", "empty"]),
        _probe(
            "A queries B's records", a, "POST", f"{data}/query", ["denied", "empty"],
            body={"where": {"owner_id": f"${{{B_USER}}}"}},
        ),
        _probe(
            "A updates B's record", a, "PATCH", f"{data}/${{{B_RECORD}}}", "denied",
            body={"title": "golive verify probe - must be rejected"},
        ),
        _probe("A deletes B's record", a, "DELETE", f"{data}/${{{B_RECORD}}}", "denied"),
        _probe(
            "A writes a record owned by B", a, "POST", data, "denied",
            body={"title": "golive verify probe - must be rejected", "owner_id": f"${{{B_USER}}}"},
            denied=[400, 403, 404, 422],
        ),
        # created_by is server-managed: the runtime replaces it with the caller's, so the
        # write may succeed; B's query below proves it did not land as B's.
        _probe(
            "A writes a record forged as created by B", a, "POST", data, ["denied", "allowed"],
            body={"title": f"${{{FORGED_TITLE}}}", "created_by": f"${{{B_USER}}}"},
            denied=[400, 403, 404, 422],
        ),
        _probe(
            "B sees no record forged as B's", b, "POST", f"{data}/query", "empty",
            body={"where": {"title": f"${{{FORGED_TITLE}}}"}},
        ),
        _probe("B's record survived A's writes", b, "GET", f"{data}/${{{B_RECORD}}}", "allowed"),
    ]  # fmt: skip
    environ = {
        A_TOKEN: owners.a.token,
        B_TOKEN: owners.b.token,
        A_RECORD: owners.a.record_id,
        B_RECORD: owners.b.record_id,
        B_USER: owners.b.user_id,
        FORGED_TITLE: owners.marker,
    }
    return _yaml({"probes": entries}, _header(owners)), environ


@dataclass(frozen=True)
class RlsOutcome:
    """What `os verify --rls` reported for the app."""

    passed: bool
    exit_code: int
    hard_failures: int
    results: tuple[tuple[str, str, str], ...]
    """(object, status, detail) of each RLS proof, e.g. ('rehearsal_note', 'rls-consistent', ...)."""
    report: dict[str, Any] = field(repr=False)

    @property
    def holes(self) -> int:
        return int(self.report.get("rls", {}).get("totals", {}).get("holes", 0))

    def describe(self) -> list[str]:
        verdict = "passed" if self.passed else f"FAILED ({self.hard_failures} runtime failure(s))"
        return [f"os verify --rls {verdict}"] + [f"{obj}: {status} ({detail})" for obj, status, detail in self.results]


def rls_check(installation: Installation, project: Path, timeout: float = RLS_TIMEOUT_SECONDS) -> RlsOutcome:
    """The runtime's own `os verify --rls --json` of the app whose objectstack.config.ts is in `project`."""
    config = project / "objectstack.config.ts"
    if not config.is_file():
        raise RlsCheckFailed(f"os verify --rls needs the app's source config: {config} does not exist", "")
    with tempfile.TemporaryDirectory(prefix="objectos-verify-") as home:
        env = process_env(installation, {"OS_CLOUD_URL": "off", "OS_SECRET_KEY": secrets.token_hex(32)}, Path(home))
        for folder in ("HOME", "OS_HOME"):
            Path(env[folder]).mkdir(parents=True, exist_ok=True)
        work = Path(home) / "app"
        shutil.copytree(project, work, ignore=shutil.ignore_patterns("dist", "node_modules"))
        try:
            done = subprocess.run(
                [str(installation.node), str(installation.cli), "verify", "--rls", "--json", "--app", config.name],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise RlsCheckFailed(f"os verify --rls did not finish in {timeout:.0f} s", "") from None
    report = _json_report(done.stdout)
    if report is None:
        raise RlsCheckFailed(
            f"os verify --rls gave no JSON report (exit {done.returncode})", (done.stdout + done.stderr)[-4000:]
        )
    results = tuple(
        (str(r.get("object")), str(r.get("status")), str(r.get("detail", "")))
        for r in (report.get("rls") or {}).get("results") or []
        if isinstance(r, dict)
    )
    hard = int(report.get("hardFailures", 0) or 0)
    ran = report.get("rls") is not None
    return RlsOutcome(done.returncode == 0 and hard == 0 and ran, done.returncode, hard, results, report)


class _Session:
    """Requests to the runtime with no cookie jar: each call carries only the credential it is given."""

    def __init__(self, base_url: str, client: httpx.Client, owns: bool) -> None:
        self.base_url, self.client, self.owns = base_url.rstrip("/"), client, owns

    def close(self) -> None:
        if self.owns:
            self.client.close()

    def call(
        self,
        step: str,
        method: str,
        path: str,
        body: Optional[Mapping[str, Any]] = None,
        token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        hint: str = "",
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client.cookies.clear()  # a session cookie from the last answer must not ride along
        try:
            response = self.client.request(method, self.base_url + path, json=body, headers=headers, params=params)
        except httpx.HTTPError as exc:
            raise SeedFailed(step, None, f"{exc.__class__.__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            detail = _refusal(response)
            raise SeedFailed(step, response.status_code, f"{detail}; {hint}" if hint else detail)
        try:
            return response.json()
        except ValueError:
            raise SeedFailed(step, response.status_code, "the answer is not JSON") from None

    def permission_set(self, admin: str, name: str) -> str:
        step = f"find permission set {name}"
        found = self.call(
            step, "GET", f"{DATA}/sys_permission_set", token=admin,
            params={"filter": json.dumps({"name": name}), "select": "id,name"},
        )  # fmt: skip
        records = found.get("records") if isinstance(found, dict) else None
        if not records:
            raise SeedFailed(step, 200, f"the runtime has no permission set named {name}: declare it in the app")
        return _field(records[0], "id", step)


def _owner(
    session: _Session, admin: str, label: str, email: str, object_name: str, permission_set: Optional[str]
) -> Owner:
    password = _password()
    created = session.call(
        f"create owner {label} as the administrator",
        "POST",
        f"{AUTH}/admin/create-user",
        {"email": email, "password": password, "name": f"tenancy {label}", "mustChangePassword": False},
        token=admin,
    )
    user_id = _field(_get(created, "data", "user") or {}, "id", f"create owner {label}")
    if permission_set:
        session.call(
            f"grant owner {label} its permission set",
            "POST",
            f"{DATA}/sys_user_permission_set",
            {"user_id": user_id, "permission_set_id": permission_set},
            token=admin,
        )
    signed_in = session.call(
        f"sign in owner {label}", "POST", f"{AUTH}/sign-in/email", {"email": email, "password": password}
    )
    token = _field(signed_in, "token", f"sign in owner {label}")
    step = f"owner {label} creates a {object_name} record"
    written = session.call(
        step, "POST", f"{DATA}/{object_name}", {"title": f"tenancy probe: {label}'s record"}, token=token
    )
    record = written.get("record") if isinstance(written, dict) else None
    record_id = _field(written, "id", step)
    owner_id = record.get("owner_id") if isinstance(record, dict) else None
    if owner_id not in (None, user_id):
        raise SeedFailed(step, 201, f"the record was stamped with owner {owner_id}, not the caller {user_id}")
    return Owner(label, email, user_id, record_id, token)


def _client(ca_file: Optional[Path]) -> httpx.Client:
    return httpx.Client(verify=tls_context(ca_file), timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False)


def _password() -> str:
    return "Tp-" + secrets.token_urlsafe(18)


def _refusal(response: httpx.Response) -> str:
    """The runtime's code and message from an error answer (no credential is ever in one)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "an empty answer"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            body = {**body, **error}
        code, message = body.get("code"), body.get("message") or (error if isinstance(error, str) else None)
        shown = ": ".join(str(part) for part in (code, message) if part)
        if shown:
            return shown[:300]
    return json.dumps(body)[:300]


def _field(value: Any, key: str, step: str) -> str:
    found = value.get(key) if isinstance(value, dict) else None
    if not isinstance(found, str) or not found:
        raise SeedFailed(step, 200, f"the answer has no `{key}`")
    return found


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _probe(
    name: str,
    credential: Any,
    method: str,
    path: str,
    expect: Any,
    body: Any = None,
    denied: Optional[list[int]] = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "credential": credential, "method": method, "path": path}
    if body is not None:
        entry["body"] = body
    entry["expect"] = expect
    if denied:
        entry["deniedStatuses"] = denied
    return entry


def _header(owners: Owners) -> str:
    lines = [
        f"Cross-owner access probes: owners A and B of one organization (tenancy posture {POSTURE}),",
        f"each owning one {owners.object_name} record. Made by golive.rehearse.tenancy; the values",
        f"come from the environment: {', '.join((A_TOKEN, B_TOKEN, A_RECORD, B_RECORD, B_USER, FORGED_TITLE))}.",
    ]
    return "".join(f"# {line}\n" for line in lines)


def _yaml(document: Any, header: str) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.width = 120
    text = StringIO()
    yaml.dump(document, text)
    return header + text.getvalue()


def _json_report(stdout: str) -> Optional[dict[str, Any]]:
    """The JSON document `os verify --json` prints after its boot log (it starts at a line that is `{`)."""
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        if line == "{":
            try:
                found = json.loads("\n".join(lines[index:]))
            except ValueError:
                continue
            if isinstance(found, dict) and "crud" in found:
                return found
    return None
