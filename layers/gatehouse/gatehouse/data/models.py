"""The single-table model (PynamoDB).

Every entity shares one table keyed by PK/SK with four overloaded GSIs; the
`entity` discriminator tells PynamoDB which class to build from a raw item.
The key schema must match template.yaml (tests/unit/test_model_matches_template.py).
docs/data-model.md lists the access patterns these keys serve.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Self, TypeVar, overload

from pynamodb import attributes as pynamodb_attributes
from pynamodb.attributes import Attribute, DiscriminatorAttribute
from pynamodb.connection import Connection
from pynamodb.constants import NULL, NUMBER
from pynamodb.exceptions import AttributeDeserializationError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from gatehouse import snapstart
from gatehouse.settings import get_settings

_settings = get_settings()

# One connection for transactions, built once per container like the models' own.
connection = Connection(region=_settings.aws_region, host=_settings.dynamodb_endpoint)


@snapstart.after_restore
def new_connections() -> None:
    """A copy restored from a SnapStart snapshot makes its own DynamoDB clients (credentials,
    connection pool) on first use, this one's and every model's."""
    connection._client = None
    models: list[type[Model]] = [Model]
    while models:
        model = models.pop()
        model._connection = None
        models.extend(model.__subclasses__())


def call(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """One DynamoDB call with a request the data layer wrote out itself (docs/warm-path.md),
    through the table's PynamoDB connection: its botocore client, retries and error translation
    (`VerboseClientError`, a `ClientError`). Not through `Connection.dispatch`, which adds per
    call what nothing here uses: a random UUID for PynamoDB's two signals (an `os.urandom`),
    the signals themselves, its debug lines and the consumed capacity it asks for, some 20 µs
    a call, 17 calls on D's log page."""
    answer: dict[str, Any] = Item._get_connection().connection._make_api_call(operation, request)
    return answer


_T = TypeVar("_T")
_Read = TypeVar("_Read", bound="DirectRead[Any]")


class DirectRead(Attribute[_T]):
    """An attribute an item reads straight from its values, by the Python name the attribute
    learnt when its class was defined. PynamoDB's own read asks whether the instance is a map
    attribute's class object and maps the DynamoDB name back to the Python name first, on every
    read: a tenth of a warm list page, which reads a hundred of them. The data layer's item
    classes use these types (below), never PynamoDB's directly; tests/unit/test_item_reading.py
    checks both reads agree on every attribute of every item class."""

    _python_name: str

    def __set_name__(self, owner: type[Any], name: str) -> None:
        super().__set_name__(owner, name)
        self._python_name = name

    @overload
    def __get__(self: _Read, instance: None, owner: Any) -> _Read: ...

    @overload
    def __get__(self, instance: Any, owner: Any) -> _T: ...

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        return instance.attribute_values.get(self._python_name)


class UnicodeAttribute(DirectRead[str], pynamodb_attributes.UnicodeAttribute):
    pass


class BooleanAttribute(DirectRead[bool], pynamodb_attributes.BooleanAttribute):
    pass


class JSONAttribute(DirectRead[Any], pynamodb_attributes.JSONAttribute):
    pass


class ListAttribute(DirectRead[list[_T]], pynamodb_attributes.ListAttribute[_T]):
    pass


class IntegerAttribute(DirectRead[int]):
    """A DynamoDB number that reads back as `int` (PynamoDB's NumberAttribute reads floats)."""

    attr_type = NUMBER

    def serialize(self, value: int) -> str:
        return str(int(value))

    def deserialize(self, value: str) -> int:
        return int(value)


class Gsi1(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class Item(Model):
    class Meta:
        table_name = _settings.table_name
        region = _settings.aws_region
        host = _settings.dynamodb_endpoint
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3
        # D's whole log reads its 16 audit shards at once (gatehouse.data.audit_queries).
        max_pool_connections = 20

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    gsi4 = Gsi4()

    @classmethod
    def _instantiate(cls, attribute_values: dict[str, dict[str, Any]]) -> Self:
        """An item read from DynamoDB, as PynamoDB builds it, in one pass over what the item holds
        with a plan made once per class: PynamoDB's own runs `__init__` (defaults and
        discriminator), then sets the defaults and the discriminator again and every attribute of
        the class (a user has 43, an item holds about 20) through its descriptor, a quarter of a
        warm `/me`. The values are PynamoDB's; their order is the item's (nothing reads it: the
        directory export sorts them). tests/unit/test_item_reading.py checks the two agree."""
        stored_class = cls._get_discriminator_class(attribute_values)
        if stored_class and not issubclass(stored_class, cls):
            raise ValueError(
                f"Cannot instantiate a {cls.__name__} from the returned class: {stored_class.__name__}"
            )
        target: type[Self] = stored_class or cls
        plan = _reading_plans.get(target) or _reading_plan(target)
        values = plan.fixed.copy()
        for python_name, make_default in plan.made_defaults:
            value = make_default()
            if value is not None:
                values[python_name] = value
        by_dynamo_name = plan.by_dynamo_name
        for dynamo_name, raw in attribute_values.items():
            attribute = by_dynamo_name.get(dynamo_name)
            if attribute is None or not raw or NULL in raw:
                continue
            python_name, attr_type, deserialize = attribute
            if attr_type not in raw:
                raise AttributeDeserializationError(dynamo_name, attr_type)
            stored = raw[attr_type]
            values[python_name] = stored if deserialize is None else deserialize(stored)
        instance = target.__new__(target)
        instance.attribute_values = values
        return instance


class _ReadingPlan:
    """What `Item._instantiate` needs of a class, looked up once."""

    def __init__(self, item_class: type[Item]) -> None:
        # The discriminator and the defaults given as values, then those made by a call.
        self.fixed: dict[str, Any] = {}
        discriminator = item_class._get_discriminator_attribute()
        if discriminator is not None and discriminator.get_discriminator(item_class) is not None:
            self.fixed[item_class._discriminator] = item_class  # type: ignore[attr-defined]
        attributes = item_class.get_attributes()
        self.made_defaults: list[tuple[str, Callable[[], Any]]] = []
        for name, attribute in attributes.items():
            default = attribute.default
            if callable(default):
                self.made_defaults.append((name, default))
            elif default is not None:
                self.fixed[name] = default
        # DynamoDB name -> (Python name, type, deserialiser; None where it returns its input).
        self.by_dynamo_name: dict[str, tuple[str, str, Callable[[Any], Any] | None]] = {
            attribute.attr_name: (
                name,
                attribute.attr_type,
                None if type(attribute).deserialize is Attribute.deserialize else attribute.deserialize,
            )
            for name, attribute in attributes.items()
        }


_reading_plans: dict[type[Item], _ReadingPlan] = {}


def _reading_plan(item_class: type[Item]) -> _ReadingPlan:
    plan = _reading_plans[item_class] = _ReadingPlan(item_class)
    return plan


def user_key(user_id: int) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


def sortable_id(value: int) -> str:
    """Zero-padded so that string order is numeric order in sort keys."""
    return f"{value:012d}"


class UserItem(Item, discriminator="user"):
    """The canonical user: the union of the five surfaces' fields."""

    id = IntegerAttribute()
    email = UnicodeAttribute()
    login = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    role = UnicodeAttribute(default="user")
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    middle_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    telegram = UnicodeAttribute(null=True)
    viber = UnicodeAttribute(null=True)
    userpic = UnicodeAttribute(null=True)
    sex = IntegerAttribute(null=True)
    age = IntegerAttribute(null=True)
    birthday = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    is_verified = BooleanAttribute(default=False)
    organization_id = IntegerAttribute(null=True)
    department_id = IntegerAttribute(null=True)
    position_id = IntegerAttribute(null=True)
    position_title = UnicodeAttribute(null=True)
    group_id = IntegerAttribute(null=True)
    app_roles = ListAttribute(of=UnicodeAttribute, null=True)
    app_data = JSONAttribute(null=True)
    # Surface-specific profile fields no other surface knows (B's wechat, school, ...).
    profile = JSONAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Where the two timestamps were kept before they moved to the user's `SEEN` item (items
    # written since never carry them); `last_login_at` / `last_activity_at` fall back to these.
    stored_last_login_at = UnicodeAttribute(null=True, attr_name="last_login_at")
    stored_last_activity_at = UnicodeAttribute(null=True, attr_name="last_activity_at")
    # Sessions created before this instant (epoch ms) are revoked: one write signs out everywhere.
    sessions_valid_after_ms = IntegerAttribute(default=0)
    # Imported without a password Gatehouse can check (an unknown hash scheme): set on reset.
    needs_password_reset = BooleanAttribute(null=True)
    # Imported from A: its MongoDB `_id`, which A shows and accepts for this user (claimed as
    # `UNIQUE#a_id#{_id}`); None for everyone else (A shows the hex of the integer id).
    a_object_id = UnicodeAttribute(null=True)

    @property
    def last_login_at(self) -> str | None:
        """When the user last signed in: from their `SEEN` item (see `UserSeenItem`)."""
        return self._seen_values().get("last_login_at") or self.stored_last_login_at

    @last_login_at.setter
    def last_login_at(self, value: str | None) -> None:
        self._seen_values()["last_login_at"] = value

    @property
    def last_activity_at(self) -> str | None:
        """When the user was last active (to ACTIVITY_RESOLUTION): from their `SEEN` item."""
        return self._seen_values().get("last_activity_at") or self.stored_last_activity_at

    @last_activity_at.setter
    def last_activity_at(self, value: str | None) -> None:
        self._seen_values()["last_activity_at"] = value

    def _seen_values(self) -> dict[str, str | None]:
        # A plain instance attribute, not a stored one: PynamoDB's refresh after an update of
        # the user item leaves it alone, and saving the user item never writes it.
        values: dict[str, str | None] | None = self.__dict__.get("_seen")
        if values is None:
            values = self.__dict__["_seen"] = {}
        return values

    @classmethod
    def new(cls, user_id: int, **attributes: Any) -> UserItem:
        pk, sk = user_key(user_id)
        return cls(
            pk,
            sk,
            id=user_id,
            GSI1PK="USERS",
            GSI1SK=f"USER#{sortable_id(user_id)}",
            **attributes,
        )


def user_seen_key(user_id: int) -> tuple[str, str]:
    return f"USER#{user_id}", "SEEN"


class UserSeenItem(Item, discriminator="user_seen"):
    """When a user last signed in and was last active. These change on every sign-in (and every
    ACTIVITY_RESOLUTION of activity), so they live beside the user item, in no index: the user
    item is in up to four all-projected GSIs, and rewriting it rewrites every entry."""

    last_login_at = UnicodeAttribute(null=True)
    last_activity_at = UnicodeAttribute(null=True)


def attach_seen(user: UserItem, seen: UserSeenItem | None) -> None:
    """Give `user` the timestamps of their `SEEN` item (read in the same call as the user)."""
    if seen is not None:
        user.last_login_at = seen.last_login_at
        user.last_activity_at = seen.last_activity_at


MAX_READABLE_KEY_BYTES = 512


class UniqueItem(Item, discriminator="unique"):
    """Claims a value (an email, a login, the super role) for one owner."""

    owner_id = IntegerAttribute()

    @staticmethod
    def key(kind: str, value: str) -> tuple[str, str]:
        # DynamoDB caps a partition key at 2048 bytes, and NFKC can expand a 255-character
        # value many times over: long values are keyed by their SHA-256 instead.
        if len(value.encode()) > MAX_READABLE_KEY_BYTES:
            value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
        return f"UNIQUE#{kind}#{value}", "UNIQUE"


class CounterItem(Item, discriminator="counter"):
    value = IntegerAttribute(default=0)

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return f"COUNTER#{name}", "COUNTER"


def session_key(session_id: str) -> tuple[str, str]:
    return f"SESSION#{session_id}", "SESSION"


class SessionItem(Item, discriminator="session"):
    """One issued token. A token is valid only while its session item exists and is unexpired."""

    session_id = UnicodeAttribute()
    user_id = IntegerAttribute()
    token_format = UnicodeAttribute()
    # Opaque tokens (Sanctum style) keep only a SHA-256 of their secret part.
    secret_hash = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    created_at_ms = IntegerAttribute()
    # Epoch seconds; DynamoDB TTL removes the item some time after, so reads check it too.
    expires_at = IntegerAttribute()
    # Refresh families (B's refresh): the first session's id, shared by every session refreshed
    # from it (GSI2 `FAMILY#{id}` finds them all). A refreshed session is not deleted but marked
    # superseded, naming its successor, so a replay of its token is recognised as reuse.
    family_id = UnicodeAttribute(null=True)
    superseded_at_ms = IntegerAttribute(null=True)
    successor_id = UnicodeAttribute(null=True)
    successor_created_at_ms = IntegerAttribute(null=True)


class RateLimitItem(Item, discriminator="rate_limit"):
    """Requests one client made in one window. One item per client and window, so no key is hot;
    DynamoDB's TTL removes it after the window (reads never rely on that)."""

    hits = IntegerAttribute(default=0)
    expires_at = IntegerAttribute()

    @staticmethod
    def key(client: str, window: int) -> tuple[str, str]:
        return f"RATE#{client}#{window}", "RATE"


class LockoutItem(Item, discriminator="lockout"):
    """Failures of one kind (sign-in, reset token, ...) against one account from one client
    (SK `CLIENT#...`), or from all clients together (SK `ALL`). One item per account and client,
    so no key is hot; every failure pushes `expires_at` out, and DynamoDB's TTL removes the item
    after a quiet window (reads check `expires_at` themselves)."""

    failures = IntegerAttribute(default=0)
    last_failure_at = IntegerAttribute(default=0)
    expires_at = IntegerAttribute()

    @staticmethod
    def key(scope: str, account: str, client: str | None) -> tuple[str, str]:
        return f"LOCKOUT#{scope}#{account}", f"CLIENT#{client}" if client is not None else "ALL"
