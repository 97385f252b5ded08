"""gatehouse_local.template and .environment: everything local comes from template.yaml."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from gatehouse_local.environment import (
    local_environment,
    local_jwt_secret,
    local_values,
    parse_parameter_overrides,
)
from gatehouse_local.template import (
    REPO_ROOT,
    Template,
    TemplateError,
    bucket_logical_ids,
    function_environment,
    load_template,
    routes,
    table_create_kwargs,
    ttl_attribute,
)

SMALL_TEMPLATE = """
Parameters:
  Stage:
    Type: String
    Default: dev
  NoDefault:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Equals [!Ref Stage, prod]]
Globals:
  Function:
    Handler: app.handler
    CodeUri: functions/shared/
    Timeout: 7
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        SHARED: from-globals
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
  Queue:
    Type: AWS::SQS::Queue
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Anything:
          Type: Api
          Properties: {Path: "/things/{id}", Method: any}
        Timer:
          Type: Schedule
          Properties: {Schedule: rate(1 minute)}
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/custom/
      Handler: pkg.module.run
      MemorySize: 256
      Environment:
        Variables:
          SHARED: overridden
          NAME: !Sub "gatehouse-${Stage}-${AWS::Region}"
          QUEUE_ARN: !GetAtt Queue.Arn
          LEVEL: !If [IsProd, WARNING, DEBUG]
          SAFE: !If [NotProd, "yes", "no"]
          LITERAL: !Sub "${!NotAVariable}"
          COUNT: 3
          FLAG: true
          DROPPED: !If [IsProd, kept, !Ref "AWS::NoValue"]
"""


@pytest.fixture
def small_template(tmp_path: Path) -> Template:
    path = tmp_path / "template.yaml"
    path.write_text(SMALL_TEMPLATE, encoding="utf-8")
    return load_template(path)


@pytest.fixture(scope="module")
def real_template() -> Template:
    return load_template()


def test_short_form_tags_load_as_long_form_intrinsics(small_template: Template) -> None:
    variables = small_template["Resources"]["Custom"]["Properties"]["Environment"]["Variables"]
    assert variables["NAME"] == {"Fn::Sub": "gatehouse-${Stage}-${AWS::Region}"}
    assert variables["QUEUE_ARN"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert variables["LEVEL"] == {"Fn::If": ["IsProd", "WARNING", "DEBUG"]}
    assert small_template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert small_template["Conditions"]["NotProd"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]
    }


def test_default_template_is_the_repository_root_one(real_template: Template) -> None:
    assert real_template == load_template(REPO_ROOT / "template.yaml")
    assert "Resources" in real_template


def test_table_schema_comes_from_template(real_template: Template) -> None:
    table = next(
        body["Properties"]
        for body in real_template["Resources"].values()
        if body["Type"] == "AWS::DynamoDB::Table"
    )
    kwargs = table_create_kwargs(real_template, "gatehouse-test")
    assert kwargs["TableName"] == "gatehouse-test"
    assert kwargs["AttributeDefinitions"] == table["AttributeDefinitions"]
    assert kwargs["KeySchema"] == table["KeySchema"]
    assert kwargs["BillingMode"] == table["BillingMode"]
    assert [index["IndexName"] for index in kwargs["GlobalSecondaryIndexes"]] == [
        index["IndexName"] for index in table["GlobalSecondaryIndexes"]
    ]
    assert kwargs["GlobalSecondaryIndexes"][0]["KeySchema"] == table["GlobalSecondaryIndexes"][0]["KeySchema"]


def test_table_schema_follows_a_changed_template(real_template: Template) -> None:
    changed = copy.deepcopy(real_template)
    table = next(body for body in changed["Resources"].values() if body["Type"] == "AWS::DynamoDB::Table")
    table["Properties"]["AttributeDefinitions"].append({"AttributeName": "GSI9PK", "AttributeType": "S"})
    table["Properties"]["GlobalSecondaryIndexes"].append(
        {
            "IndexName": "GSI9",
            "KeySchema": [{"AttributeName": "GSI9PK", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ContributorInsightsSpecification": {"Enabled": True},
        }
    )
    kwargs = table_create_kwargs(changed, "t")
    assert kwargs["GlobalSecondaryIndexes"][-1] == {
        "IndexName": "GSI9",
        "KeySchema": [{"AttributeName": "GSI9PK", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }


def test_table_schema_requires_exactly_one_table(real_template: Template) -> None:
    changed = copy.deepcopy(real_template)
    changed["Resources"]["SecondTable"] = changed["Resources"]["Table"]
    with pytest.raises(TemplateError, match="exactly one"):
        table_create_kwargs(changed, "t")


def test_ttl_attribute_comes_from_template(real_template: Template, small_template: Template) -> None:
    assert ttl_attribute(real_template) == "expires_at"
    assert ttl_attribute(small_template) is None


def test_bucket_logical_ids_lists_s3_buckets(real_template: Template, small_template: Template) -> None:
    assert bucket_logical_ids(real_template) == ["UserpicBucket"]
    assert bucket_logical_ids(small_template) == []


def test_routes_cover_every_api_event_of_every_function(real_template: Template) -> None:
    expected = {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"], function_id, event_id)
        for function_id, body in real_template["Resources"].items()
        if body["Type"] == "AWS::Serverless::Function"
        for event_id, event in body["Properties"].get("Events", {}).items()
        if event["Type"] == "Api"
    }
    found = routes(real_template)
    assert {(route.method, route.path, route.function_id, route.event_id) for route in found} == expected
    assert len(found) == len(expected)
    auth = next(route for route in found if route.path == "/api/auth/login")
    assert auth.code_uri == REPO_ROOT / "functions" / "jwt_auth"
    assert auth.code_uri.is_absolute()
    assert auth.handler == "app.handler"


def test_routes_fall_back_to_globals_and_upper_case_methods(small_template: Template, tmp_path: Path) -> None:
    (route,) = routes(small_template, root=tmp_path)
    assert route.method == "ANY"
    assert route.path == "/things/{id}"
    assert route.function_id == "Plain"
    assert route.event_id == "Anything"
    assert route.handler == "app.handler"
    assert route.code_uri == tmp_path / "functions" / "shared"
    assert route.timeout_s == 7


def test_function_environment_resolves_refs_and_parameter_defaults(real_template: Template) -> None:
    # MailFrom has no default: a deployment names its SES identity, the local run its own address.
    values = {
        "Table": "t-local",
        "UserpicBucket": "b-local",
        "JwtSigningSecret": "arn:local",
        "MailFrom": "me@example.test",
    }
    environment = function_environment(real_template, "JwtAuthFunction", values)
    assert environment["MAIL_FROM"] == "me@example.test"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "gatehouse-local"
    assert environment["TABLE_NAME"] == "t-local"
    assert environment["USERPIC_BUCKET"] == "b-local"
    assert environment["JWT_SECRET_ARN"] == "arn:local"
    assert environment["STAGE"] == "dev"
    assert environment["REQUIRE_VERIFIED_EMAIL"] == "false"
    assert environment["MAIL_TRANSPORT"] == "ses"


def test_function_environment_resolves_sub_getatt_if_equals_not(small_template: Template) -> None:
    values = {"Table": "t", "Queue.Arn": "arn:aws:sqs:us-east-1:123456789012:q"}
    environment = function_environment(small_template, "Custom", values)
    assert environment == {
        "TABLE_NAME": "t",
        "SHARED": "overridden",
        "NAME": "gatehouse-dev-us-east-1",
        "QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "LEVEL": "DEBUG",
        "SAFE": "yes",
        "LITERAL": "${NotAVariable}",
        "COUNT": "3",
        "FLAG": "true",
    }


def test_local_values_override_parameter_defaults(small_template: Template) -> None:
    values = {"Table": "t", "Queue": "q", "Stage": "prod"}
    environment = function_environment(small_template, "Custom", values)
    assert environment["NAME"] == "gatehouse-prod-us-east-1"
    assert environment["LEVEL"] == "WARNING"
    assert environment["DROPPED"] == "kept"


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ({"Ref": "Queue"}, "resource Queue"),
        ({"Ref": "NoDefault"}, "parameter NoDefault has no Default"),
        ({"Ref": "Nowhere"}, "neither a parameter nor a resource"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "Queue.Arn"),
        ({"Fn::ImportValue": "x"}, "Fn::ImportValue"),
    ],
)
def test_unresolvable_reference_is_a_clear_error(
    small_template: Template, variable: dict[str, Any], message: str
) -> None:
    small_template["Resources"]["Plain"]["Properties"]["Environment"] = {"Variables": {"X": variable}}
    with pytest.raises(TemplateError, match=message):
        function_environment(small_template, "Plain", {"Table": "t"})


@pytest.mark.parametrize(
    ("variable", "unsupported"),
    [
        ({"Fn::Join": [",", ["a", "b"]]}, "Fn::Join"),
        ({"Fn::Select": [0, ["a"]]}, "Fn::Select"),
        ({"Fn::Split": [",", "a,b"]}, "Fn::Split"),
        ({"Fn::FindInMap": ["Map", "Top", "Second"]}, "Fn::FindInMap"),
        ({"Fn::Base64": "text"}, "Fn::Base64"),
        ({"Fn::Sub": ["${X}", {"X": "x"}]}, "Fn::Sub with a map of variables"),
    ],
)
def test_an_intrinsic_template_yaml_does_not_use_is_refused_by_name(
    small_template: Template, variable: dict[str, Any], unsupported: str
) -> None:
    small_template["Resources"]["Plain"]["Properties"]["Environment"] = {"Variables": {"X": variable}}
    expected = f"Plain.Environment: not supported by the local run: {re.escape(unsupported)}"
    with pytest.raises(TemplateError, match=expected):
        function_environment(small_template, "Plain", {"Table": "t"})


def test_a_condition_function_template_yaml_does_not_use_is_refused_by_name(small_template: Template) -> None:
    small_template["Conditions"]["Either"] = {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]}
    small_template["Resources"]["Plain"]["Properties"]["Environment"] = {
        "Variables": {"X": {"Fn::If": ["Either", "a", "b"]}}
    }
    with pytest.raises(TemplateError, match="not supported by the local run: Fn::Or in a condition"):
        function_environment(small_template, "Plain", {"Table": "t"})


def test_local_environment_is_set_up_for_the_local_run(real_template: Template, tmp_path: Path) -> None:
    environment = local_environment(
        real_template, 3123, jwt_secret="k" * 64, outbox_dir=tmp_path / "mail", state_dir=tmp_path
    )
    assert "JWT_SECRET_ARN" not in environment
    assert environment["JWT_SECRET"] == "k" * 64
    assert environment["MAIL_TRANSPORT"] == "outbox"
    assert environment["OUTBOX_DIR"] == str(tmp_path / "mail")
    assert environment["PUBLIC_BASE_URL"] == "http://127.0.0.1:3123"
    assert environment["TABLE_NAME"] == local_values(real_template)["Table"] == "gatehouse-local"
    assert environment["USERPIC_BUCKET"] == "gatehouse-userpics-local"
    assert environment["STAGE"] == "local"


def test_local_jwt_secret_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    first = local_jwt_secret(tmp_path)
    assert len(first.encode()) >= 64
    assert local_jwt_secret(tmp_path) == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("JWT_SECRET", "from-the-environment")
    assert local_jwt_secret(tmp_path) == "from-the-environment"


def test_conflicting_function_environments_are_rejected(real_template: Template, tmp_path: Path) -> None:
    changed = copy.deepcopy(real_template)
    other = copy.deepcopy(changed["Resources"]["JwtAuthFunction"])
    other["Properties"]["Environment"] = {"Variables": {"LOG_LEVEL": "DEBUG"}}
    changed["Resources"]["OtherFunction"] = other
    with pytest.raises(TemplateError, match="LOG_LEVEL"):
        local_environment(changed, 3000, jwt_secret="k" * 64, state_dir=tmp_path)


def test_the_local_run_reads_its_key_from_the_file_so_it_can_rotate(
    real_template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    environment = local_environment(real_template, 3123, state_dir=tmp_path)
    assert environment["JWT_SECRET"] == ""
    assert environment["JWT_SECRET_FILE"] == str((tmp_path / "jwt-secret").resolve())
    assert (tmp_path / "jwt-secret").read_text().strip() == local_jwt_secret(tmp_path)


def test_parameter_overrides_replace_defaults_as_sam_local_does(
    real_template: Template, tmp_path: Path
) -> None:
    default = local_environment(real_template, 3123, jwt_secret="k" * 64, state_dir=tmp_path)
    overridden = local_environment(
        real_template,
        3123,
        jwt_secret="k" * 64,
        state_dir=tmp_path,
        parameter_overrides=parse_parameter_overrides("RateLimitPerMinute=0"),
    )
    assert default["RATE_LIMIT_PER_MINUTE"] == "60"
    assert overridden["RATE_LIMIT_PER_MINUTE"] == "0"


def test_parameter_overrides_refuse_unknown_names_and_malformed_pairs(
    real_template: Template, tmp_path: Path
) -> None:
    with pytest.raises(TemplateError, match=r"no such template parameter: RateLimit$"):
        local_environment(
            real_template,
            3123,
            jwt_secret="k" * 64,
            state_dir=tmp_path,
            parameter_overrides={"RateLimit": "0"},
        )
    with pytest.raises(ValueError, match="Name=Value"):
        parse_parameter_overrides("RateLimitPerMinute")
