"""A small multi-organization data API on loopback, shaped like ObjectOS's, with an isolated and a leaky mode.

Two organizations, each with one environment and one `account` record; one
session cookie, for a user of organization A. The isolated mode keeps the
organization and environment walls; the leaky one ignores them (anonymous
requests are refused in both, so only the walls tell them apart).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

SESSION_COOKIE = "__Secure-better-auth.session_token=probe-a-7f3c9e1d5b"
ORG_A, ORG_B = "org_a", "org_b"
ENV_A, ENV_B = "env_a", "env_b"
RECORD_B = "acc_b1"
ENVIRONMENT = {
    "OBJECTOS_PROBE_ORG_A_COOKIE": SESSION_COOKIE,
    "OBJECTOS_PROBE_ORG_B_ID": ORG_B,
    "OBJECTOS_PROBE_ORG_B_RECORD_ID": RECORD_B,
    "OBJECTOS_PROBE_ENV_B_ID": ENV_B,
}
RECORDS = [
    {"id": "acc_a1", "name": "Alpha", "organization_id": ORG_A, "environment_id": ENV_A},
    {"id": RECORD_B, "name": "Bravo", "organization_id": ORG_B, "environment_id": ENV_B},
]
ENV_ORG = {ENV_A: ORG_A, ENV_B: ORG_B}


def _handler(leaky: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, document: object) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _list(self, rows: list[dict]) -> None:
            self._send(200, {"success": True, "data": {"object": "account", "records": rows, "total": len(rows)}})

        def _caller(self) -> Optional[str]:
            return ORG_A if self.headers.get("Cookie") == SESSION_COOKIE else None

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _visible(self, org: str, env: Optional[str]) -> Optional[list[dict]]:
            """Rows the caller may see in `env`; None when the environment is off limits."""
            if leaky:
                return [r for r in RECORDS if env is None or r["environment_id"] == env]
            if env is not None and ENV_ORG.get(env) != org:
                return None
            return [r for r in RECORDS if r["organization_id"] == org]

        def _route(self, method: str) -> None:
            org = self._caller()
            if org is None:
                return self._send(401, {"success": False, "error": "unauthenticated"})
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            env = self.headers.get("X-Environment-Id")
            if parts[:3] == ["api", "v1", "environments"] and len(parts) > 3:
                env, parts = parts[3], ["api", "v1", *parts[4:]]
            if parts[:3] != ["api", "v1", "data"] or len(parts) < 4:
                return self._send(404, {"success": False, "error": "not found"})
            rows = self._visible(org, env)
            if rows is None:
                return self._send(403, {"success": False, "error": "environment not accessible"})
            rest = parts[4:]
            if method == "GET" and not rest:
                return self._list(rows)
            if method == "GET" and len(rest) == 1:
                found = [r for r in rows if r["id"] == rest[0]]
                return (
                    self._send(200, {"success": True, "data": found[0]})
                    if found
                    else self._send(404, {"success": False})
                )
            if method == "POST" and rest == ["query"]:
                where = self._body().get("where", {})
                return self._list([r for r in rows if all(r.get(k) == v for k, v in where.items())])
            if method == "POST" and not rest:
                data = self._body()
                if not leaky and data.get("organization_id", org) != org:
                    return self._send(403, {"success": False, "error": "organization mismatch"})
                return self._send(201, {"success": True, "data": {"id": "acc_new", **data}})
            return self._send(405, {"success": False})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextmanager
def tenant_api(leaky: bool) -> Iterator[str]:
    """The API on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(leaky))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
