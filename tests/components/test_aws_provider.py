"""The us-east-1 provider keeps the stack's own aws:* settings: the pure mapping, then the program."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.aws_provider import ProviderConfigError, provider_kwargs, snake
from golive.program import run_program
from tests.conftest import stack_config

ROLE = "arn:aws:iam::123456789012:role/objectos-deployer"
KIT_TAGS = {"objectos:stack": "prod", "managed-by": "pulumi-objectos-kit"}


def test_keys_become_the_provider_s_keywords():
    assert snake("skipCredentialsValidation") == "skip_credentials_validation"
    assert snake("s3UsEast1RegionalEndpoint") == "s3_us_east1_regional_endpoint"


def test_the_region_is_overridden_and_the_rest_kept():
    kwargs = provider_kwargs(
        {
            "aws:region": "eu-west-1",
            "aws:profile": "ops",
            "aws:allowedAccountIds": '["123456789012"]',
            "aws:forbiddenAccountIds": '["210987654321"]',
            "aws:sharedConfigFiles": '["/etc/aws/config"]',
            "aws:sharedCredentialsFiles": '["/etc/aws/credentials"]',
            "aws:skipCredentialsValidation": "true",
            "aws:skipMetadataApiCheck": "false",
            "aws:maxRetries": "5",
        },
        "us-east-1",
        KIT_TAGS,
    )
    assert kwargs["region"] == "us-east-1" and kwargs["profile"] == "ops"
    assert kwargs["allowed_account_ids"] == ["123456789012"]
    assert kwargs["forbidden_account_ids"] == ["210987654321"]
    assert kwargs["shared_config_files"] == ["/etc/aws/config"]
    assert kwargs["shared_credentials_files"] == ["/etc/aws/credentials"]
    assert kwargs["skip_credentials_validation"] is True and kwargs["skip_metadata_api_check"] is False
    assert kwargs["max_retries"] == 5
    aws.ProviderArgs(**kwargs)  # every keyword is one the typed Args take


def test_roles_and_endpoints_become_typed_args():
    kwargs = provider_kwargs(
        {
            "assumeRoles": json.dumps([{"roleArn": ROLE, "sessionName": "deploy", "externalId": "x"}]),
            "endpoints": json.dumps([{"sts": "https://sts.internal.example.com"}]),
        },
        "us-east-1",
        {},
    )
    (role,) = kwargs["assume_roles"]
    assert isinstance(role, aws.ProviderAssumeRoleArgs)
    assert (role.role_arn, role.session_name, role.external_id) == (ROLE, "deploy", "x")
    (endpoint,) = kwargs["endpoints"]
    assert isinstance(endpoint, aws.ProviderEndpointArgs) and endpoint.sts == "https://sts.internal.example.com"


def test_the_stack_s_default_tags_merge_with_the_kit_s_and_the_kit_wins():
    kwargs = provider_kwargs(
        {"aws:defaultTags": json.dumps({"tags": {"team": "platform", "managed-by": "someone"}})}, "us-east-1", KIT_TAGS
    )
    assert kwargs["default_tags"].tags == {"team": "platform", **KIT_TAGS}


@pytest.mark.parametrize(
    "config, message",
    [
        ({"aws:profil": "ops"}, "aws:profil is not a setting of the AWS provider"),
        ({"aws:skipCredentialsValidation": "yes"}, "aws:skipCredentialsValidation must be true or false"),
        ({"aws:maxRetries": "many"}, "aws:maxRetries must be a whole number"),
        ({"aws:assumeRoles": json.dumps([{"role": ROLE}])}, "aws:assumeRoles[0] has no setting role"),
    ],
)
def test_a_value_the_provider_would_not_take_names_its_key(config, message):
    with pytest.raises(ProviderConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        provider_kwargs(config, "us-east-1", {})


def test_the_program_s_us_east_1_provider_inherits_the_stack_s_aws_settings():
    """Config set as the engine sets it (set_all_config, through the mocks runner)."""
    config, secret_keys = stack_config("prod").engine_config()
    config.update(
        {
            "aws:profile": "objectos-prod",
            "aws:assumeRoles": json.dumps([{"roleArn": ROLE, "sessionName": "pulumi-up"}]),
            "aws:allowedAccountIds": json.dumps(["123456789012"]),
        }
    )
    result = run_program("prod", config, secret_keys)
    (provider,) = [r for r in result.resources if r.type == "pulumi:providers:aws" and r.name == "us-east-1"]
    inputs = provider.inputs
    assert inputs["region"] == "us-east-1" and inputs["profile"] == "objectos-prod"
    assert json.loads(inputs["allowedAccountIds"]) == ["123456789012"]
    (role,) = json.loads(inputs["assumeRoles"])
    assert (role["roleArn"], role["sessionName"]) == (ROLE, "pulumi-up")
    assert json.loads(inputs["defaultTags"])["tags"]["objectos:stack"] == "prod"
