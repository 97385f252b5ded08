"""moto's DynamoDB answers, serialized without walking the botocore model for every attribute.

moto 5.2.5 turns a DynamoDB result into JSON with its generic serializer: for every member
of every structure it asks six alias providers, twice each (the name and its snake_case
form), where the value might be. An item is a map of ``AttributeValue`` structures of ten
members each, so a user item of a few dozen attributes takes a few thousand lookups: most
of the moto server's time on ``GetItem``, ``BatchGetItem`` and ``Query``, and on the stream's
``GetRecords`` (every write's new image, read by the local run's mail pump).

``DynamoDbJsonSerializer`` writes an ``AttributeValue`` directly when it is what
``moto.dynamodb.models.utilities.dynamo_to_dict`` makes of a stored value: a plain dict of
one key, the type (``S``, ``N``, ``B``, ``SS``, ``NS``, ``BS``, ``M``, ``L``, ``NULL``,
``BOOL``), with a value of the Python type moto keeps for it. For such a dict the generic
serializer finds that one member and nothing else, and writes it as below (strings as they
are, binaries in base64, maps and lists member by member); anything else (another shape,
another kind of value) goes through moto's own code. The output is the same, byte for byte:
tests/unit/test_moto_serialization.py compares the two on values of every type.

``install()`` registers it for DynamoDB and DynamoDB Streams in the moto server process
(``moto_process``).
``check()`` says whether moto's serializer is still the one this was reviewed against; if
it is not, ``install()`` leaves moto's serializer in place (slower, never wrong).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from importlib import metadata
from typing import Any

from moto.core import serialize
from moto.core.serialize import BaseJSONSerializer, JSONSerializer, ResponseSerializer

MOTO_VERSION = "5.2.5"
# SHA-256 of the source of each moto method whose output DynamoDbJsonSerializer reproduces.
REVIEWED = {
    "ResponseSerializer._serialize": "4eccca5bf02593efd2e425f7e1659871406ee6734ec1084ccd452885b7e89052",
    "ResponseSerializer._default_serialize": "25ce8ddbb1a991c029a745f87eeaa360b697b69ba7295fb74143859a5233afb7",
    "ResponseSerializer._serialize_type_structure": "f9b47068f40ce489e55e7a0bf78accec38597d27168dc3d095ac2fc18312d4a8",
    "ResponseSerializer._serialize_structure_member": "437fdce43aa5ac844fb5fe22865b90d228b875b6b1787dc6bfdccad91968b3c0",
    "ResponseSerializer._serialize_type_blob": "acd7e746cf06090e20c6501be7d45563fdece62bc55ba2a12f840d2b3bc89ade",
    "ResponseSerializer._base64": "5a3642d8c2a14b24a90a2719ba8cc148cff6400b69faea1943c32d782df5a2fb",
    "ResponseSerializer.get_serialized_name": "2c23dcac85ccc3966b11d9d96e676eccd5c0d61818ca68b93b0f019839fb2767",
    "BaseJSONSerializer._serialize_type_structure": "36873909cd0aeb4defa91cc9912c6e90a62d7d92ced6150ac7de92fd10a81967",
    "BaseJSONSerializer._serialize_type_map": "faa32d1fa9a8bfc9db0984b7973a5cc3297d35a2df33124748949b0908f6b6a9",
    "BaseJSONSerializer._serialize_type_list": "f87b14fe9166e099846349860a5e3c9d9984939d82ed0f67de07ad12e790cd26",
    "BaseJSONSerializer._serialize_type_string": "44954e02145012baee50de6592411c1376aad480ea3440a3b3ab6ce932bbf78d",
    "AttributePicker.__call__": "c15da8ec29c1afa44772407fe6280d59a519fcbf52216dc90eb31fb6fbb136ce",
    "AttributePicker.get_possible_keys": "cb284052c5ea7fe1b0534936022c95397d8ed8fb7630d51a445614127bc25c17",
    "XFormedAttributePicker.get_possible_keys": "f0d20f55f37fd8a1f74e7fae117327a99c8e14b0f9459a0059d3c8d3c6e50a41",
}
_OWNERS: dict[str, type] = {
    "ResponseSerializer": ResponseSerializer,
    "BaseJSONSerializer": BaseJSONSerializer,
    "AttributePicker": serialize.AttributePicker,
    "XFormedAttributePicker": serialize.XFormedAttributePicker,
}
ATTRIBUTE_VALUE = "AttributeValue"
# The services whose answers hold items: the table's, and its stream's (records' images).
SERVICES = ("dynamodb", "dynamodbstreams")
# Returned by DynamoDbJsonSerializer.attribute_value for a value it leaves to moto's code.
NOT_DIRECT = object()


def fingerprints() -> dict[str, str]:
    """The SHA-256 of the installed source of each method in ``REVIEWED``."""
    found: dict[str, str] = {}
    for name in REVIEWED:
        owner, method = name.split(".")
        found[name] = hashlib.sha256(inspect.getsource(getattr(_OWNERS[owner], method)).encode()).hexdigest()
    return found


def changes() -> list[str]:
    """What differs from the reviewed moto: empty when ``DynamoDbJsonSerializer`` is exact."""
    installed = metadata.version("moto")
    if installed != MOTO_VERSION:
        return [f"moto {installed} (reviewed: {MOTO_VERSION})"]
    return sorted(name for name, digest in fingerprints().items() if digest != REVIEWED[name])


def _all(kind: type, values: Any) -> bool:
    return all(type(value) is kind for value in values)


class DynamoDbJsonSerializer(JSONSerializer):
    """moto's JSON serializer, writing stored DynamoDB attribute values directly."""

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == ATTRIBUTE_VALUE:
            direct = self.attribute_value(value, shape)
            if direct is not NOT_DIRECT:
                serialized[key] = direct
                return
        super()._serialize_type_structure(serialized, value, shape, key)

    def attribute_value(self, value: Any, shape: Any) -> Any:
        """``value`` (an ``AttributeValue``) as moto's serializer writes it, or NOT_DIRECT."""
        if type(value) is not dict or len(value) != 1:
            return NOT_DIRECT
        ((kind, member),) = value.items()
        if member is None:
            # The generic serializer skips a None member: an empty structure.
            return {} if kind in shape.members else NOT_DIRECT
        writer = _WRITERS.get(kind)
        if writer is None:
            return NOT_DIRECT
        written = writer(self, member, shape)
        return NOT_DIRECT if written is NOT_DIRECT else {kind: written}

    def _string(self, member: Any, shape: Any) -> Any:
        return member if type(member) is str else NOT_DIRECT

    def _binary(self, member: Any, shape: Any) -> Any:
        return self._base64(member) if type(member) is bytes else NOT_DIRECT

    def _strings(self, member: Any, shape: Any) -> Any:
        return list(member) if type(member) is list and _all(str, member) else NOT_DIRECT

    def _binaries(self, member: Any, shape: Any) -> Any:
        if type(member) is not list or not _all(bytes, member):
            return NOT_DIRECT
        return [self._base64(item) for item in member]

    def _map(self, member: Any, shape: Any) -> Any:
        if type(member) is not dict:
            return NOT_DIRECT
        written: dict[str, Any] = {}
        for name, item in member.items():
            direct = self.attribute_value(item, shape)
            if direct is NOT_DIRECT:
                self._serialize(written, item, shape, name)
            else:
                written[name] = direct
        return written

    def _list(self, member: Any, shape: Any) -> Any:
        if type(member) is not list:
            return NOT_DIRECT
        written: list[Any] = []
        for item in member:
            direct = self.attribute_value(item, shape)
            if direct is NOT_DIRECT:
                wrapper: dict[str, Any] = {}
                self._serialize(wrapper, item, shape, ATTRIBUTE_VALUE)
                direct = wrapper.get(ATTRIBUTE_VALUE, item)
            written.append(direct)
        return written

    def _as_is(self, member: Any, shape: Any) -> Any:
        return member


# Per type: how its value is written. ``shape`` is the AttributeValue shape (maps and lists
# hold AttributeValues).
_WRITERS: dict[str, Callable[[DynamoDbJsonSerializer, Any, Any], Any]] = {
    "S": DynamoDbJsonSerializer._string,
    "N": DynamoDbJsonSerializer._string,
    "B": DynamoDbJsonSerializer._binary,
    "SS": DynamoDbJsonSerializer._strings,
    "NS": DynamoDbJsonSerializer._strings,
    "BS": DynamoDbJsonSerializer._binaries,
    "M": DynamoDbJsonSerializer._map,
    "L": DynamoDbJsonSerializer._list,
    "NULL": DynamoDbJsonSerializer._as_is,
    "BOOL": DynamoDbJsonSerializer._as_is,
}


def install() -> bool:
    """Serialize DynamoDB's and its streams' answers with ``DynamoDbJsonSerializer`` in this process;
    False (and moto's serializer stays) when moto is not the reviewed one."""
    if changes():
        return False
    for service in SERVICES:
        serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault(service, {})["json"] = DynamoDbJsonSerializer
    return True
