"""Read the SAM template: the single source of truth for the local run and the tests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"

Template = dict[str, Any]

TABLE_TYPE = "AWS::DynamoDB::Table"
BUCKET_TYPE = "AWS::S3::Bucket"
FUNCTION_TYPE = "AWS::Serverless::Function"

# Lambda's own defaults, used when neither the function nor Globals set them.
DEFAULT_MEMORY_MB = 128
DEFAULT_TIMEOUT_S = 3

PSEUDO_PARAMETERS: dict[str, str] = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "gatehouse-local",
    "AWS::StackId": (
        "arn:aws:cloudformation:us-east-1:123456789012:stack/gatehouse-local/"
        "00000000-0000-0000-0000-000000000000"
    ),
}


class TemplateError(ValueError):
    """The template lacks something the local run needs, or uses what it cannot resolve."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class CloudFormationLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that turns short-form intrinsics (``!Ref X``) into their long form."""


def _construct_intrinsic(loader: CloudFormationLoader, tag_suffix: str, node: Any) -> dict[str, Any]:
    key = tag_suffix if tag_suffix in ("Ref", "Condition") else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path | None = None) -> Template:
    source = path or DEFAULT_TEMPLATE
    with source.open(encoding="utf-8") as handle:
        loaded = yaml.load(handle, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(loaded, dict) or not isinstance(loaded.get("Resources"), dict):
        raise TemplateError(f"{source} is not a CloudFormation template (no Resources)")
    template: Template = loaded
    return template


def resources_of_type(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = template["Resources"]
    return {logical_id: body for logical_id, body in resources.items() if body.get("Type") == resource_type}


def table_logical_id(template: Template) -> str:
    tables = resources_of_type(template, TABLE_TYPE)
    if len(tables) != 1:
        raise TemplateError(f"expected exactly one {TABLE_TYPE} resource, found {sorted(tables) or 'none'}")
    return next(iter(tables))


def _table_properties(template: Template) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][table_logical_id(template)].get("Properties", {})
    return properties


_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")


def table_create_kwargs(template: Template, table_name: str) -> dict[str, Any]:
    """``create_table`` kwargs for boto3, every part of the schema taken from the template."""
    properties = _table_properties(template)
    for required in ("AttributeDefinitions", "KeySchema"):
        if required not in properties:
            raise TemplateError(f"the table resource has no {required}")
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if properties.get(index_kind):
            kwargs[index_kind] = [
                {key: index[key] for key in _INDEX_KEYS if key in index} for index in properties[index_kind]
            ]
    if "ProvisionedThroughput" in properties:
        kwargs["ProvisionedThroughput"] = properties["ProvisionedThroughput"]
    stream = properties.get("StreamSpecification")
    if stream and "StreamViewType" in stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    _reject_intrinsics(kwargs, "the table schema")
    return kwargs


def ttl_attribute(template: Template) -> str | None:
    spec = _table_properties(template).get("TimeToLiveSpecification")
    if not spec or spec.get("Enabled") is False:
        return None
    attribute = spec.get("AttributeName")
    if not isinstance(attribute, str):
        raise TemplateError("TimeToLiveSpecification.AttributeName must be a plain string")
    return attribute


def bucket_logical_ids(template: Template) -> list[str]:
    return list(resources_of_type(template, BUCKET_TYPE))


def _reject_intrinsics(value: Any, where: str) -> None:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS:
            raise TemplateError(
                f"{where}: not supported by the local run: {next(iter(value))} (plain values only)"
            )
        for item in value.values():
            _reject_intrinsics(item, where)
    elif isinstance(value, list):
        for item in value:
            _reject_intrinsics(item, where)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function_id: str
    code_uri: Path
    handler: str
    event_id: str = ""
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout_s: int = DEFAULT_TIMEOUT_S

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _function_globals(template: Template) -> dict[str, Any]:
    globals_: dict[str, Any] = (template.get("Globals") or {}).get("Function") or {}
    return globals_


def _function_setting(template: Template, properties: Mapping[str, Any], name: str) -> Any:
    if name in properties:
        return properties[name]
    return _function_globals(template).get(name)


def routes(template: Template, *, root: Path = REPO_ROOT) -> list[Route]:
    """Every ``Type: Api`` event of every function, in template order.

    ``root`` is the directory that relative ``CodeUri`` values are relative to
    (the template's directory).
    """
    found: list[Route] = []
    for function_id, resource in resources_of_type(template, FUNCTION_TYPE).items():
        properties: dict[str, Any] = resource.get("Properties") or {}
        events: dict[str, Any] = properties.get("Events") or {}
        api_events = {name: event for name, event in events.items() if event.get("Type") == "Api"}
        if not api_events:
            continue
        code_uri = _function_setting(template, properties, "CodeUri")
        handler = _function_setting(template, properties, "Handler")
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            raise TemplateError(f"{function_id} needs a local CodeUri and a Handler (plain strings)")
        memory = _function_setting(template, properties, "MemorySize") or DEFAULT_MEMORY_MB
        timeout = _function_setting(template, properties, "Timeout") or DEFAULT_TIMEOUT_S
        for event_id, event in api_events.items():
            event_properties = event.get("Properties") or {}
            path = event_properties.get("Path")
            method = event_properties.get("Method")
            if not isinstance(path, str) or not isinstance(method, str):
                raise TemplateError(f"{function_id}.{event_id} needs a plain Path and Method")
            found.append(
                Route(
                    method=method.upper(),
                    path=path,
                    function_id=function_id,
                    code_uri=(root / code_uri).resolve(),
                    handler=handler,
                    event_id=event_id,
                    memory_mb=int(memory),
                    timeout_s=int(timeout),
                )
            )
    return found


def function_environment(
    template: Template, function_id: str, local_values: Mapping[str, str]
) -> dict[str, str]:
    """Globals' environment merged with the function's, every intrinsic resolved for the local run.

    A ``Ref``/``Fn::Sub``/``Fn::GetAtt`` to a resource or parameter takes
    ``local_values[name]`` (for ``GetAtt``, ``local_values["Name.Attr"]`` first),
    else a parameter's ``Default``; anything else raises ``TemplateError``.
    """
    resource = template["Resources"].get(function_id)
    if not resource or resource.get("Type") != FUNCTION_TYPE:
        raise TemplateError(f"{function_id} is not an {FUNCTION_TYPE} in the template")
    variables: dict[str, str] = {}
    sources = (
        ("Globals.Function", _function_globals(template).get("Environment")),
        (function_id, (resource.get("Properties") or {}).get("Environment")),
    )
    for where, environment in sources:
        resolver = _Resolver(template, local_values, f"{where}.Environment")
        resolved = resolver.resolve(environment or {})
        resolved_variables = resolved.get("Variables") if isinstance(resolved, dict) else None
        for name, value in (resolved_variables or {}).items():
            if value is NO_VALUE:
                variables.pop(name, None)
            else:
                variables[name] = _as_env_string(value, f"{where}: {name}")
    return variables


def resolve_value(
    template: Template, value: Any, local_values: Mapping[str, str], where: str = "value"
) -> Any:
    """Resolve the intrinsic functions in any template value (see ``function_environment``)."""
    return _Resolver(template, local_values, where).resolve(value)


def _as_env_string(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TemplateError(f"{where} resolves to {value!r}, not a string")


# Every intrinsic function's key: a value that is one of these is never taken as a literal.
_INTRINSIC_KEYS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::Sub",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Fn::Base64",
        "Fn::FindInMap",
        "Fn::ImportValue",
        "Fn::GetAZs",
        "Fn::Cidr",
        "Fn::Transform",
        "Fn::Length",
        "Fn::ToJsonString",
    }
)
# What template.yaml uses, and so all the local run resolves (conditions: Fn::Equals, Fn::Not).
SUPPORTED_INTRINSICS = frozenset({"Ref", "Fn::Sub", "Fn::GetAtt", "Fn::If", "Fn::Equals", "Fn::Not"})

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _Resolver:
    def __init__(self, template: Template, local_values: Mapping[str, str], where: str) -> None:
        self.template = template
        self.local_values = local_values
        self.where = where

    def fail(self, message: str) -> TemplateError:
        return TemplateError(f"{self.where}: {message}")

    def unsupported(self, what: str) -> TemplateError:
        return self.fail(f"not supported by the local run: {what} (it resolves {_supported_list()})")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(item) for item in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key in _INTRINSIC_KEYS:
                return self.intrinsic(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def intrinsic(self, key: str, argument: Any) -> Any:
        if key == "Ref":
            return self.ref(self.text(argument, key))
        if key == "Fn::GetAtt":
            parts = self.resolve(argument)
            if not isinstance(parts, list) or len(parts) != 2:
                raise self.fail(f"Fn::GetAtt needs [Resource, Attribute], got {argument!r}")
            return self.get_att(str(parts[0]), str(parts[1]))
        if key == "Fn::Sub":
            return self.sub(argument)
        if key == "Fn::If":
            if not isinstance(argument, list) or len(argument) != 3:
                raise self.fail("Fn::If needs [Condition, ValueIfTrue, ValueIfFalse]")
            chosen = argument[1] if self.condition(self.text(argument[0], key)) else argument[2]
            return self.resolve(chosen)
        if key in ("Fn::Equals", "Fn::Not"):
            return self.evaluate({key: argument})
        raise self.unsupported(key)

    def pair(self, argument: Any, key: str) -> tuple[Any, Any]:
        resolved = self.resolve(argument)
        if not isinstance(resolved, list) or len(resolved) != 2:
            raise self.fail(f"{key} needs two arguments, got {argument!r}")
        return resolved[0], resolved[1]

    def text(self, value: Any, key: str) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, (str, int, float)):
            return str(resolved)
        raise self.fail(f"{key} expected a string, got {resolved!r}")

    def ref(self, name: str) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        parameter = (self.template.get("Parameters") or {}).get(name)
        if parameter is not None:
            if "Default" not in parameter:
                raise self.fail(f"parameter {name} has no Default; give it a local value")
            return parameter["Default"]
        resource = self.template["Resources"].get(name)
        if resource is not None:
            kind = resource.get("Type")
            raise self.fail(f"resource {name} ({kind}) has no local value; add it to the local values")
        raise self.fail(f"Ref to {name}, which is neither a parameter nor a resource")

    def get_att(self, resource: str, attribute: str) -> Any:
        qualified = f"{resource}.{attribute}"
        if qualified in self.local_values:
            return self.local_values[qualified]
        if resource in self.local_values:
            return self.local_values[resource]
        if resource not in self.template["Resources"]:
            raise self.fail(f"Fn::GetAtt to unknown resource {resource}")
        raise self.fail(f"Fn::GetAtt {qualified} has no local value; add {qualified!r} to the local values")

    def sub(self, argument: Any) -> str:
        if not isinstance(argument, str):
            raise self.unsupported("Fn::Sub with a map of variables (only Fn::Sub of a string)")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):  # Fn::Sub's escape: ${!Literal} is the text ${Literal}
                return "${" + name[1:] + "}"
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.text(self.get_att(resource, attribute), "Fn::Sub")
            return self.text(self.ref(name), "Fn::Sub")

        return _SUB_VARIABLE.sub(substitute, argument)

    def condition(self, name: str) -> bool:
        conditions: dict[str, Any] = self.template.get("Conditions") or {}
        if name not in conditions:
            raise self.fail(f"unknown condition {name}")
        return self.evaluate(conditions[name])

    def evaluate(self, expression: Any) -> bool:
        if isinstance(expression, bool):
            return expression
        if not isinstance(expression, dict) or len(expression) != 1:
            raise self.fail(f"not a condition: {expression!r}")
        ((key, argument),) = expression.items()
        if key == "Fn::Equals":
            left, right = self.pair(argument, key)
            return self.text(left, key) == self.text(right, key)
        if key == "Fn::Not":
            if not isinstance(argument, list) or len(argument) != 1:
                raise self.fail("Fn::Not needs [Condition]")
            return not self.evaluate(argument[0])
        if key in SUPPORTED_INTRINSICS or key not in _INTRINSIC_KEYS:
            raise self.fail(f"{key} is not a condition function")
        raise self.unsupported(f"{key} in a condition")


def _supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_INTRINSICS))
