"""Typed dependencies: what a route needs, declared in its signature."""

import enum
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Request

from gatehouse.contracts.base import RequestModel
from gatehouse.data.models import UserItem
from gatehouse.errors import NotAuthenticated, TokenMissing
from gatehouse.services import sessions
from gatehouse.services.sessions import Principal
from gatehouse.surfaces.envelope import TokenRule
from gatehouse.web.body import read_body, request_body
from gatehouse.web.errors import surface_for

_AUTHENTICATION_STATE = "authentication"
# Methods a cross-site HTML form can send; with a cookie they must carry a JSON body (see below).
_FORM_METHODS = frozenset({"POST"})


class Credential(enum.Enum):
    """What a dependency asks of the caller, for the API documents' security requirements."""

    TOKEN = "the surface's token"
    OPTIONAL_TOKEN = "the surface's token, when sent"
    APP_TOKEN = "an app's x-app-token"


_credentials: dict[Callable[..., object], Credential] = {}


def needs[Dependency: Callable[..., object]](credential: Credential) -> Callable[[Dependency], Dependency]:
    """Records that `dependency` authenticates the caller with `credential` (nothing at run time)."""

    def recorded(dependency: Dependency) -> Dependency:
        _credentials[dependency] = credential
        return dependency

    return recorded


def credential_of(dependency: Callable[..., object]) -> Credential | None:
    return _credentials.get(dependency)


def bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


async def token_of(request: Request) -> str | None:
    """The token where the request's surface reads it (`TokenRule`), or None."""
    match surface_for(request).token_rule:
        case TokenRule.BEARER:
            return bearer_token(request)
        case TokenRule.GONCORD:
            # Goncord: the `Authorization` header when it is present at all (even unusable).
            if "authorization" in request.headers:
                return bearer_token(request)
            return _cookie_token(request, "jwt")
        case TokenRule.JWT_AUTH:
            return (
                bearer_token(request)
                or _text(request.query_params.get("token"))
                or _text(((await read_body(request)) or {}).get("token"))
                or _cookie_token(request, "token")
            )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _cookie_token(request: Request, name: str) -> str | None:
    cookie = _text(request.cookies.get(name))
    # A browser sends the cookie with a cross-site form POST too; such a form cannot send
    # `application/json` without a CORS preflight, so cookie-authenticated POSTs must.
    if cookie and request.method in _FORM_METHODS and not _is_json(request):
        return None
    return cookie


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


async def _authenticate(request: Request) -> Principal | NotAuthenticated:
    """Once per request (the rate limit and the route share it): the principal, or why not."""
    cached: Principal | NotAuthenticated | None = getattr(request.state, _AUTHENTICATION_STATE, None)
    if cached is not None:
        return cached
    token = await token_of(request)
    outcome: Principal | NotAuthenticated
    if token is None:
        outcome = TokenMissing()
    else:
        try:
            outcome = sessions.authenticate(token)
            sessions.note_activity(outcome.user)
        except NotAuthenticated as refused:
            outcome = refused
    setattr(request.state, _AUTHENTICATION_STATE, outcome)
    return outcome


@needs(Credential.TOKEN)
async def current_principal(request: Request) -> Principal:
    outcome = await _authenticate(request)
    if isinstance(outcome, NotAuthenticated):
        raise outcome
    return outcome


@needs(Credential.TOKEN)
async def refreshing_principal(request: Request) -> Principal:
    """The caller of a refresh: an already refreshed token too (`sessions.rotate` decides
    between the grace window and reuse); every other route refuses one."""
    outcome = await _authenticate(request)
    if isinstance(outcome, sessions.SessionSuperseded):
        return outcome.principal
    if isinstance(outcome, NotAuthenticated):
        raise outcome
    return outcome


@needs(Credential.OPTIONAL_TOKEN)
async def optional_principal(request: Request) -> Principal | None:
    """The caller when the request carries a usable token, else None (never refuses)."""
    outcome = await _authenticate(request)
    return None if isinstance(outcome, NotAuthenticated) else outcome


@needs(Credential.TOKEN)
async def current_user(request: Request) -> UserItem:
    # Straight from the request, not through a `current_principal` dependency: one node less
    # for FastAPI to solve on every request (the principal is shared through request.state).
    return (await current_principal(request)).user


class Source(enum.Enum):
    """Where a request model reads its input from."""

    BODY = "body"
    QUERY = "query"


# Each parser dependency → what it reads, for the API documents (nothing reads it per request).
_parsed_models: dict[Callable[..., object], tuple[Source, type[RequestModel]]] = {}


def parsed_model(dependency: Callable[..., object]) -> tuple[Source, type[RequestModel]] | None:
    return _parsed_models.get(dependency)


def body_parser[Model: RequestModel](model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """The dependency that reads the body (JSON, urlencoded or multipart) into `model`."""

    async def parsed_body(request: Request) -> Model:
        return model.parse(await request_body(request))

    _parsed_models[parsed_body] = (Source.BODY, model)
    return parsed_body


def query_parser[Model: RequestModel](model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """The dependency that reads the query string into `model` (a repeated name: its last value)."""

    async def parsed_query(request: Request) -> Model:
        return model.parse(request.query_params)

    _parsed_models[parsed_query] = (Source.QUERY, model)
    return parsed_query


_Model = TypeVar("_Model", bound=RequestModel)

if TYPE_CHECKING:
    # To the type checker, `Body[Registration]` is a Registration.
    Body = Annotated[_Model, "the request body"]
    Query = Annotated[_Model, "the query string"]
else:

    class Body:
        """`body: Body[Registration]`: the body, validated by the model (a dependency of one node)."""

        def __class_getitem__(cls, model: type[RequestModel]) -> Any:
            return Annotated[model, Depends(body_parser(model))]

    class Query:
        """`query: Query[UserListing]`: the query string, validated by the model."""

        def __class_getitem__(cls, model: type[RequestModel]) -> Any:
            return Annotated[model, Depends(query_parser(model))]


# The body as sent, for what no model describes: a free-form JSON object (E's own payload of an
# app), and the form of A's reset page, which must see what a refused form held.
SentBody = Annotated[Mapping[str, object], Depends(request_body)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
RefreshingPrincipal = Annotated[Principal, Depends(refreshing_principal)]
CurrentUser = Annotated[UserItem, Depends(current_user)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
