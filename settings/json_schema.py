"""A JSON Schema of the stack file, generated from the settings model, for editors.

`schema/stack-file.schema.json` is this module's output (`make schema`; a test keeps
it in step with the model). An editor with a YAML language server completes and
checks `stacks/Pulumi.<stack>.yaml` against it: every `objectos:` key with its
description, type and default; an unknown `objectos:` key is flagged, other
namespaces (`aws:`, `kubernetes:`) are left alone. The kit's own validation stays
the authority: cross-field rules (prod needs a Redis replica, ...) are not in the schema.

    python -m settings.json_schema            # print it
    python -m settings.json_schema --write    # rewrite schema/stack-file.schema.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from settings.load import NAMESPACE
from settings.model import Settings

PATH = Path(__file__).resolve().parent.parent / "schema" / "stack-file.schema.json"
_NOT_KEYS = ("stack", "region")  # from the file name and aws:region, not objectos: keys
_SECURE = {
    "type": "object",
    "description": "An encrypted value: `pulumi config set --secret --path ...` writes it.",
    "properties": {"secure": {"type": "string"}},
    "required": ["secure"],
    "additionalProperties": False,
}


def stack_file_schema() -> dict[str, Any]:
    model = Settings.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    fields = model["properties"]
    config: dict[str, Any] = {"aws:region": fields["region"]}
    for name, field in Settings.model_fields.items():
        if name in _NOT_KEYS:
            continue
        key = field.alias or name
        config[f"{NAMESPACE}:{key}"] = fields[key]
    secret_values = dict(config[f"{NAMESPACE}:secretValues"])
    secret_values["additionalProperties"] = _SECURE
    config[f"{NAMESPACE}:secretValues"] = secret_values
    required = ["aws:region"] + [f"{NAMESPACE}:{key}" for key in model.get("required", []) if key not in _NOT_KEYS]
    known = sorted(key for key in config if key.startswith(f"{NAMESPACE}:"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ObjectOS go-live kit stack file (stacks/Pulumi.<stack>.yaml)",
        "description": "Generated from settings/model.py by `make schema`; do not edit by hand.",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": config,
                "required": required,
                "propertyNames": {
                    "anyOf": [{"not": {"pattern": f"^{NAMESPACE}:"}}, {"enum": known}],
                },
            },
            "secretsprovider": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {"description": "Pulumi ESC environments (read by the Pulumi CLI only)."},
        },
        "required": ["config"],
        "$defs": model.get("$defs", {}),
    }


def text() -> str:
    return json.dumps(stack_file_schema(), indent=2, sort_keys=False) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m settings.json_schema", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {PATH.parent.name}/{PATH.name}")
    args = parser.parse_args(argv)
    if args.write:
        PATH.parent.mkdir(parents=True, exist_ok=True)
        PATH.write_text(text(), encoding="utf-8")
        print(f"wrote {PATH.parent.name}/{PATH.name}")
    else:
        print(text(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
