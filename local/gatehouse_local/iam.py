"""Each function's IAM policy as template.yaml grants it, and the permissions an AWS call needs.

Enough of IAM to check the template against what the code really does: `Allow` statements
with `Action` and `Resource` (wildcards as IAM matches them), SAM's
`AWSSecretsManagerGetSecretValuePolicy`; conditions are not evaluated (they only narrow).
The tests record every AWS call a function makes (testing.AwsCallRecorder) and check each
against that function's statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from gatehouse_local.environment import LOCAL_TABLE_NAME, local_bucket_names, local_values
from gatehouse_local.streams import QUEUE_TYPE
from gatehouse_local.template import (
    FUNCTION_TYPE,
    PSEUDO_PARAMETERS,
    Template,
    TemplateError,
    resolve_value,
    resources_of_type,
    table_logical_id,
)

REGION = PSEUDO_PARAMETERS["AWS::Region"]
ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]
SECRET_TYPE = "AWS::SecretsManager::Secret"


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def allows(self, action: str, resource: str) -> bool:
        return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions) and any(
            fnmatchcase(resource, pattern) for pattern in self.resources
        )


@dataclass(frozen=True)
class Permission:
    action: str
    resource: str


def table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def local_secret_name(logical_id: str) -> str:
    """The name a test gives the template's secret in moto (see the `deployed_signing_key` fixture)."""
    return f"{logical_id}-local"


def local_secret_arn_pattern(logical_id: str) -> str:
    # Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{local_secret_name(logical_id)}-??????"


def arn_values(template: Template) -> dict[str, str]:
    """What the template's resources resolve to in policies: the local names, as ARNs."""
    values = dict(local_values(template))
    values[f"{table_logical_id(template)}.Arn"] = table_arn(LOCAL_TABLE_NAME)
    for logical_id, bucket in local_bucket_names(template).items():
        values[f"{logical_id}.Arn"] = f"arn:aws:s3:::{bucket}"
    for logical_id in resources_of_type(template, SECRET_TYPE):
        values[logical_id] = local_secret_arn_pattern(logical_id)
    for logical_id in resources_of_type(template, QUEUE_TYPE):
        # The name the local stream pump gives the queue (gatehouse_local.streams).
        name = f"gatehouse-{logical_id}-local"
        values[f"{logical_id}.Arn"] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        values[f"{logical_id}.QueueName"] = name
    return values


def function_statements(template: Template, function_id: str) -> list[Statement]:
    """The `Allow` statements of the function's `Policies`, intrinsics resolved."""
    resource = resources_of_type(template, FUNCTION_TYPE).get(function_id)
    if resource is None:
        raise TemplateError(f"{function_id} is not a function of the template")
    values = arn_values(template)
    policies = (resource.get("Properties") or {}).get("Policies") or []
    statements: list[Statement] = []
    for policy in resolve_value(template, policies, values, f"{function_id}.Policies"):
        if not isinstance(policy, dict) or len(policy) != 1:
            raise TemplateError(f"{function_id}: unsupported policy {policy!r}")
        ((kind, body),) = policy.items()
        if kind == "Statement":
            statements.extend(_statement(function_id, item) for item in body)
        elif kind == "AWSSecretsManagerGetSecretValuePolicy":
            statements.append(Statement(("secretsmanager:GetSecretValue",), (str(body["SecretArn"]),)))
        else:
            raise TemplateError(f"{function_id}: policy {kind} is not understood here")
    return statements


def _statement(function_id: str, item: Mapping[str, Any]) -> Statement:
    if item.get("Effect") != "Allow":
        raise TemplateError(f"{function_id}: only Allow statements are used, got {item!r}")
    return Statement(tuple(_strings(item.get("Action"))), tuple(_strings(item.get("Resource"))))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise TemplateError(f"expected a string or a list of strings, got {value!r}")


def needed_permissions(service: str, operation: str, params: Mapping[str, Any]) -> list[Permission]:
    """The IAM permissions one API call needs (DynamoDB transactions: one per item)."""
    if service == "dynamodb":
        return _dynamodb_permissions(operation, params)
    if service == "s3":
        return [Permission(f"s3:{operation}", f"arn:aws:s3:::{params['Bucket']}/{params.get('Key', '')}")]
    if service == "secretsmanager":
        return [Permission(f"secretsmanager:{operation}", str(params["SecretId"]))]
    if service == "sesv2" and operation == "SendEmail":
        sender = str(params.get("FromEmailAddress", ""))
        return [Permission("ses:SendEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}")]
    raise TemplateError(f"no IAM mapping for {service}.{operation}: add one to gatehouse_local.iam")


def _dynamodb_permissions(operation: str, params: Mapping[str, Any]) -> list[Permission]:
    if operation == "TransactWriteItems":
        actions = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}  # fmt: skip
        return [
            Permission(f"dynamodb:{actions[kind]}", table_arn(body["TableName"]))
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation == "TransactGetItems":
        return [
            Permission("dynamodb:GetItem", table_arn(item["Get"]["TableName"]))
            for item in params["TransactItems"]
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Permission(f"dynamodb:{operation}", table_arn(name)) for name in params["RequestItems"]]
    resource = table_arn(params["TableName"])
    if operation in ("Query", "Scan") and params.get("IndexName"):
        resource = f"{resource}/index/{params['IndexName']}"
    return [Permission(f"dynamodb:{operation}", resource)]


def denied(statements: Iterable[Statement], permissions: Iterable[Permission]) -> list[Permission]:
    """The permissions no statement allows."""
    granted = list(statements)
    return [
        needed for needed in permissions if not any(s.allows(needed.action, needed.resource) for s in granted)
    ]
