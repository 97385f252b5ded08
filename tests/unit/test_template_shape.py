"""template.yaml read as an AWS reviewer reads it: least privilege, parameters, names, logs,
alarms and the dashboard. (What each function really calls is checked against its policy by
every API test: see the `api` fixture in tests/conftest.py.)"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from gatehouse.settings import Settings
from gatehouse_local.iam import Statement, denied, function_statements, needed_permissions
from gatehouse_local.template import FUNCTION_TYPE, REPO_ROOT, load_template, resources_of_type

TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, FUNCTION_TYPE)
# Requests queue mail in the outbox; the mailer alone sends it.
MAIL_SENDERS = {"MailerFunction"}
# Set by the Lambda runtime itself (reserved: a template may not set them).
LAMBDA_PROVIDED = {"AWS_REGION"}


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def policy_statements(function_id: str) -> list[dict[str, Any]]:
    policies = FUNCTIONS[function_id]["Properties"].get("Policies") or []
    return [statement for policy in policies if "Statement" in policy for statement in policy["Statement"]]


def actions_of(function_id: str) -> set[str]:
    return {
        action for statement in function_statements(TEMPLATE, function_id) for action in statement.actions
    }


def test_no_function_has_a_crud_policy_a_scan_or_a_wildcard_action() -> None:
    for function_id, function in FUNCTIONS.items():
        policies = function["Properties"].get("Policies") or []
        kinds = {next(iter(policy)) for policy in policies}
        assert kinds <= {"Statement", "AWSSecretsManagerGetSecretValuePolicy"}, (function_id, kinds)
        for action in actions_of(function_id):
            assert "*" not in action, (function_id, action)
            assert action != "dynamodb:Scan", function_id
            assert not action.startswith(("iam:", "kms:", "dynamodb:Describe", "dynamodb:DeleteTable")), (
                action
            )
    assert "DynamoDBCrudPolicy" not in (REPO_ROOT / "template.yaml").read_text()


def test_every_statement_names_its_resources_never_a_bare_star() -> None:
    for function_id in FUNCTIONS:
        for statement in policy_statements(function_id):
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            assert resources, function_id
            assert "*" not in resources, (function_id, statement)


def test_dynamodb_access_is_on_the_table_and_its_indexes_only() -> None:
    for function_id in FUNCTIONS:
        for statement in policy_statements(function_id):
            if not any(action.startswith("dynamodb:") for action in statement["Action"]):
                continue
            assert all(action.startswith("dynamodb:") for action in statement["Action"])
            resource = statement["Resource"]
            if resource == {"Fn::GetAtt": ["Table", "Arn"]}:
                continue
            # Only queries reach the indexes (all of them, or one).
            assert re.fullmatch(r"\$\{Table\.Arn\}/index/(\*|GSI\d)", resource.get("Fn::Sub", "")), (
                function_id,
                resource,
            )
            assert statement["Action"] == ["dynamodb:Query"], function_id


def test_only_functions_that_query_indexes_may_and_item_writes_stay_on_the_table() -> None:
    statements = {function_id: function_statements(TEMPLATE, function_id) for function_id in FUNCTIONS}
    index = "arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-local/index/GSI1"
    for function_id, granted in statements.items():
        assert not any(statement.allows("dynamodb:PutItem", index) for statement in granted), function_id
    # Sign-up, sign-in and refresh never list anything.
    assert not any(s.allows("dynamodb:Query", index) for s in statements["JwtAuthFunction"])
    # What no route serves only counts the rate limit, by the token's user when there is one.
    assert actions_of("FallbackFunction") == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
        "secretsmanager:GetSecretValue",
    }


def test_s3_is_only_for_userpics_with_object_level_actions_on_their_prefix() -> None:
    for function_id in FUNCTIONS:
        s3_statements = [
            s for s in policy_statements(function_id) if any(a.startswith("s3:") for a in s["Action"])
        ]
        if function_id != "UsersAdminFunction":
            assert not s3_statements, function_id
            continue
        (statement,) = s3_statements
        assert set(statement["Action"]) == {"s3:PutObject", "s3:GetObject"}
        assert statement["Resource"] == {"Fn::Sub": "${UserpicBucket.Arn}/userpics/*"}


def test_mail_is_sent_only_from_mail_from_by_the_functions_that_send_it() -> None:
    for function_id in FUNCTIONS:
        ses = [s for s in policy_statements(function_id) if any(a.startswith("ses:") for a in s["Action"])]
        if function_id not in MAIL_SENDERS:
            assert not ses, function_id
            continue
        (statement,) = ses
        assert statement["Action"] == ["ses:SendEmail"]
        assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}


# They never see a token: the mailer reads the stream, the link pages are static forms, the
# API's documents are public files.
KEYLESS_FUNCTIONS = {"MailerFunction", "LinksFunction", "DocsFunction"}
SIGNING_KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:JwtSigningSecret-local-??????"
# Secrets Manager's four rotation steps (createSecret, setSecret, testSecret, finishSecret).
ROTATION_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)


def secret_statements(function_id: str) -> list[Statement]:
    statements = function_statements(TEMPLATE, function_id)
    return [s for s in statements if any(a.startswith("secretsmanager:") for a in s.actions)]


def test_every_function_may_read_the_signing_key_and_only_that_secret() -> None:
    # Every function checks tokens: the rate limit of A, B and C counts a token's user, so even
    # the fallback does. (Locally the key comes from JWT_SECRET, so the API tests cannot see this.)
    for function_id in FUNCTIONS.keys() - KEYLESS_FUNCTIONS - {"SigningKeyRotationFunction"}:
        expected = [Statement(("secretsmanager:GetSecretValue",), (SIGNING_KEY_ARN,))]
        assert secret_statements(function_id) == expected, function_id
    for function_id in KEYLESS_FUNCTIONS:
        assert secret_statements(function_id) == [], function_id


def test_only_the_rotation_function_may_write_the_signing_key() -> None:
    assert secret_statements("SigningKeyRotationFunction") == [
        Statement(ROTATION_ACTIONS, (SIGNING_KEY_ARN,))
    ]


def test_the_policy_checker_refuses_what_a_policy_does_not_grant() -> None:
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/gatehouse-local"
    granted = [Statement(("dynamodb:GetItem", "dynamodb:PutItem"), (table,))]
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "gatehouse-local", "Item": {}}},
            {"ConditionCheck": {"TableName": "gatehouse-local", "Key": {}}},
        ]
    }
    missing = denied(granted, needed_permissions("dynamodb", "TransactWriteItems", transaction))
    assert [(p.action, p.resource) for p in missing] == [("dynamodb:ConditionCheckItem", table)]
    query = needed_permissions("dynamodb", "Query", {"TableName": "gatehouse-local", "IndexName": "GSI2"})
    assert denied([Statement(("dynamodb:Query",), (table,))], query) == query
    assert denied([Statement(("dynamodb:Query",), (f"{table}/index/*",))], query) == []


def test_mail_from_is_required_and_must_look_like_an_address() -> None:
    parameter = TEMPLATE["Parameters"]["MailFrom"]
    assert "Default" not in parameter
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("no-reply@id.example.com")
    assert not pattern.fullmatch("no-reply")
    assert not pattern.fullmatch("")


def test_every_parameter_is_described() -> None:
    for name, parameter in TEMPLATE["Parameters"].items():
        assert parameter.get("Description"), name


def settings_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else None
        names.add((alias or name).upper())
    return names


def code_environment_reads() -> set[str]:
    """Variables read directly from the environment anywhere in the deployed code."""
    pattern = re.compile(r"""(?:os\.environ\.get|os\.getenv|os\.environ\[)\(?\s*["']([A-Z0-9_]+)["']""")
    roots = [REPO_ROOT / "layers" / "gatehouse" / "gatehouse", REPO_ROOT / "functions"]
    return {
        match for root in roots for path in root.rglob("*.py") for match in pattern.findall(path.read_text())
    }


def test_every_environment_variable_the_code_reads_is_set_by_the_template() -> None:
    declared = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    for function in FUNCTIONS.values():
        declared |= set(((function["Properties"].get("Environment") or {}).get("Variables")) or {})
    read = settings_variables() | code_environment_reads()
    assert read - LAMBDA_PROVIDED - declared == set()
    # And the local run's own overrides exist in the template, or `sam local` would drop them.
    local_env = json.loads((REPO_ROOT / "events" / "local-env.json").read_text())["Parameters"]
    assert set(local_env) - declared == set()


def test_no_fixed_physical_names_every_name_comes_from_the_stack() -> None:
    name_properties = {
        "AWS::DynamoDB::Table": "TableName",
        "AWS::S3::Bucket": "BucketName",
        "AWS::SecretsManager::Secret": "Name",
        "AWS::Serverless::Function": "FunctionName",
        "AWS::Serverless::LayerVersion": "LayerName",
        "AWS::Serverless::Api": "Name",
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::CloudWatch::Dashboard": "DashboardName",
        "AWS::CloudWatch::Alarm": "AlarmName",
    }
    for logical_id, resource in TEMPLATE["Resources"].items():
        prop = name_properties.get(resource["Type"])
        value = (resource.get("Properties") or {}).get(prop) if prop else None
        if value is None:
            continue
        assert "AWS::StackName" in json.dumps(value), (logical_id, value)


def test_stateful_resources_and_the_signing_key_are_retained() -> None:
    for logical_id in ("Table", "UserpicBucket", "JwtSigningSecret"):
        resource = TEMPLATE["Resources"][logical_id]
        assert resource["DeletionPolicy"] == "Retain", logical_id
        assert resource["UpdateReplacePolicy"] == "Retain", logical_id


def test_every_function_logs_to_its_own_group_with_the_retention_parameter() -> None:
    for function_id, function in FUNCTIONS.items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert group == {"Ref": f"{function_id}LogGroup"}
        log_group = TEMPLATE["Resources"][f"{function_id}LogGroup"]
        assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def test_api_access_logs_are_json_without_the_query_string() -> None:
    api = TEMPLATE["Resources"]["GatehouseApi"]["Properties"]
    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert {"status", "path", "responseLatency", "ip"} <= fields.keys()
    # A and B accept a token in `?token=`: the query string is never logged.
    assert not any("querystring" in value.lower() for value in fields.values())
    log_group = TEMPLATE["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def alarms() -> dict[str, dict[str, Any]]:
    return resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")


def test_every_alarm_notifies_the_alarm_topic_when_one_is_given() -> None:
    wired = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    assert TEMPLATE["Conditions"]["HasAlarmTopic"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]
    }
    assert alarms()
    for logical_id, alarm in alarms().items():
        assert alarm["Properties"]["AlarmActions"] == wired, logical_id
        assert alarm["Properties"]["OKActions"] == wired, logical_id


def test_every_function_has_an_errors_alarm_right_after_it() -> None:
    order = list(TEMPLATE["Resources"])
    for function_id in FUNCTIONS:
        alarm = TEMPLATE["Resources"][f"{function_id}ErrorsAlarm"]["Properties"]
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
        between = order[order.index(function_id) + 1 : order.index(f"{function_id}ErrorsAlarm")]
        assert all(TEMPLATE["Resources"][r]["Type"] != FUNCTION_TYPE for r in between), function_id


def test_the_throttle_alarm_uses_metrics_dynamodb_publishes_per_table() -> None:
    alarm = TEMPLATE["Resources"]["TableThrottleAlarm"]["Properties"]
    stats = [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]
    assert {metric["MetricName"] for metric in stats} == {"ReadThrottleEvents", "WriteThrottleEvents"}
    for metric in stats:
        # ThrottledRequests would need an Operation dimension too; these are per TableName.
        assert metric["Dimensions"] == [{"Name": "TableName", "Value": {"Ref": "Table"}}]


def test_the_dashboard_shows_sign_ins_errors_latency_throttles_and_mail() -> None:
    body = TEMPLATE["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    metrics = {(row[0], row[1]) for widget in widgets for row in widget["properties"]["metrics"]}
    expected = {
        ("Gatehouse", "SignInSucceeded"),
        ("Gatehouse", "SignInFailed"),
        ("Gatehouse", "TokenIssued"),
        ("Gatehouse", "TokenRevoked"),
        ("Gatehouse", "MailSent"),
        ("Gatehouse", "MailFailed"),
        ("AWS/ApiGateway", "4XXError"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/Lambda", "Throttles"),
    }
    assert expected <= metrics
    assert any(widget["properties"]["stat"] == "p99" for widget in widgets)
    # The EMF metrics carry the stack name as their `service` dimension (POWERTOOLS_SERVICE_NAME).
    environment = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert environment["POWERTOOLS_SERVICE_NAME"] == {"Ref": "AWS::StackName"}
    for widget in widgets:
        for row in widget["properties"]["metrics"]:
            if row[0] == "Gatehouse":
                assert row[2:] == ["service", "${AWS::StackName}"]
