"""The stack file's JSON Schema, for editors: generated from the settings model and kept in step with it."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from settings import files, json_schema
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(json_schema.PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_what_the_model_generates():
    assert json_schema.PATH.read_text(encoding="utf-8") == json_schema.text(), "run `make schema` and commit it"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_committed_stack_file_meets_the_schema(validator, stack):
    document = files.load_yaml(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    assert [e.message for e in validator.iter_errors(document)] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update({"objectos:corz": {}}), "'objectos:corz' is not valid"),
        (lambda c: c["objectos:cors"].update(origins="https://app.example.com"), "is not of type 'array'"),
        (lambda c: c.update({"objectos:secretValues": {"OS_DATABASE_URL": "plain"}}), "is not of type 'object'"),
        (lambda c: c.pop("aws:region"), "'aws:region' is a required property"),
    ],
)
def test_the_schema_flags_what_an_editor_should(validator, change, expected):
    document = copy.deepcopy(files.load_yaml(ROOT / "stacks" / "Pulumi.prod.yaml"))
    change(document["config"])
    assert any(expected in e.message for e in validator.iter_errors(document))


def test_other_namespaces_are_left_to_their_providers(validator):
    document = copy.deepcopy(files.load_yaml(ROOT / "stacks" / "Pulumi.prod.yaml"))
    document["config"]["kubernetes:context"] = "prod-cluster"
    assert list(validator.iter_errors(document)) == []
