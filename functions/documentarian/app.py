"""Documentarian function. Surface A (a Laravel app documented by Documentarian): /api/v1/register,
login, recover, reset, verify, logout and the demand, user and user_meta resources.
(A's /api/v1/position is served with surface C's positions, the same entity.)"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from gatehouse import object_ids
from gatehouse.errors import NotFound, ValidationFailed
from gatehouse.security.tokens import DOCUMENTARIAN_JWT
from gatehouse.services import (
    accounts,
    demands,
    documentarian_users,
    password_reset,
    sessions,
    user_meta,
    verification,
)
from gatehouse.services.mail import MailContext
from gatehouse.surfaces import documentarian, link_pages
from gatehouse.validation import optional, required, validate
from gatehouse.web.app import Routes, create_app, lambda_handler
from gatehouse.web.deps import CurrentPrincipal, CurrentUser, PublicBaseUrl, RequestBody

routes = Routes(prefix="/api/v1")

# Far above any real id, and far below DynamoDB's 38-digit number limit.
MAX_USER_ID = 2**53
# The original's register: `name` and `email` (required|max:255, email|unique); a password (SPEC:
# at least 8). Surname and middlename are optional there, and on POST /user alike.
REGISTRATION = {
    "name": required(max=255),
    "surname": optional(max=255),
    "middlename": optional(max=255),
    "email": required("email", max=255),
    "password": required("new_password", min=8),
}
USER_CHANGES = {
    "name": optional(max=255, nullable=False),
    "surname": optional(max=255, nullable=False),
    "middlename": optional(max=255),
    "email": optional("email", max=255, nullable=False),
}
CREDENTIALS = {
    # An email, or the login name (the same canonical handle on every surface).
    "email": required(max=255),
    "password": required("password"),
}
RECOVERY = {"email": required("email", max=255)}
RESET = {"token": required(max=128), "password": required("new_password", min=8, confirmed=True)}
VERIFICATION = {"token": required(max=128)}
DEMAND = {
    "name": required(max=255),
    "description": required(max=65_535),
    "responsible_id": required("integer", min=1, max=MAX_USER_ID),
}
# The original's FormDemandCreate::messages() (develop).
DEMAND_MESSAGES = {
    "name.required": "Необходимо указать поле name",
    "description.required": "Необходимо указать поле description",
}
DEMAND_CHANGES = {
    "name": optional(max=255, nullable=False),
    "description": optional(max=65_535, nullable=False),
    "responsible_id": optional("integer", min=1, max=MAX_USER_ID, nullable=False),
}
USER_META = {
    "user__id": required(max=object_ids.LENGTH),
    "key": required(max=255),
    "value": required(max=65_535),
}
# The original's FormUserMeta::messages().
USER_META_MESSAGES = {
    "user__id.required": "Необходимо указать ID пользователя",
    "key.required": "Необходимо указать ключ метаданных",
    "value.required": "Необходимо указать значение метаданных",
}


def paged(response: Response, next_after: str | None) -> None:
    if next_after is not None:
        response.headers[documentarian.NEXT_PAGE_HEADER] = next_after


# ---- sign-up, sign-in, recovery, sign-out ----


@routes.post("/register")
async def register(body: RequestBody, base_url: PublicBaseUrl) -> dict[str, Any]:
    data = validate(body, REGISTRATION)
    accounts.sign_up(
        email=data["email"],
        password=data["password"],
        attributes=documentarian_users.profile_attributes(data),
        mail_context=MailContext("a", base_url),
    )
    return documentarian.success(documentarian.REGISTERED)


def wants_page(request: Request) -> bool:
    """A browser submitting the form of a link page (it asks for HTML); API clients get JSON."""
    return "text/html" in request.headers.get("accept", "")


@routes.get("/verify", response_model=None)
async def verify(request: Request) -> dict[str, Any] | RedirectResponse:
    query = dict(request.query_params)
    if wants_page(request):
        lang = query.get("lang")
        try:
            verification.verify_email(validate(query, VERIFICATION)["token"])
        except (NotFound, ValidationFailed):
            return RedirectResponse(link_pages.result_location(link_pages.VERIFY, "invalid", lang), 303)
        return RedirectResponse(link_pages.result_location(link_pages.VERIFY, "done", lang), 303)
    data = validate(query, VERIFICATION)
    verification.verify_email(data["token"])
    return documentarian.success(documentarian.VERIFIED)


@routes.post("/login")
async def login(body: RequestBody) -> dict[str, Any]:
    data = validate(body, CREDENTIALS)
    user = accounts.sign_in(data["email"], data["password"])
    issued = sessions.start(user, DOCUMENTARIAN_JWT, extra_claims=documentarian.roles_claim(user))
    return documentarian.token_response(issued.token)


@routes.post("/recover")
async def recover(body: RequestBody, base_url: PublicBaseUrl) -> dict[str, Any]:
    data = validate(body, RECOVERY)
    password_reset.recover(data["email"], MailContext("a", base_url))
    return documentarian.success_data(documentarian.RECOVERY_SENT)


@routes.post("/reset", response_model=None)
async def reset(request: Request, body: RequestBody) -> dict[str, Any] | RedirectResponse:
    if wants_page(request):
        return reset_from_page(body)
    data = validate(body, RESET)
    password_reset.reset_password(data["token"], data["password"])
    return documentarian.success(documentarian.PASSWORD_RESET)


def reset_from_page(body: dict[str, Any]) -> RedirectResponse:
    """The reset page's form: back to the page with the outcome (a mistyped password keeps the link)."""
    lang = body.get("lang") if isinstance(body.get("lang"), str) else None
    token = body.get("token") if isinstance(body.get("token"), str) else None
    try:
        data = validate(body, RESET)
    except ValidationFailed as refused:
        token_ok = token and not any(v.field == "token" for v in refused.violations)
        outcome = "password_error" if token_ok else "invalid"
        location = link_pages.result_location(link_pages.RESET, outcome, lang, token if token_ok else None)
        return RedirectResponse(location, 303)
    try:
        password_reset.reset_password(data["token"], data["password"])
    except ValidationFailed:
        return RedirectResponse(link_pages.result_location(link_pages.RESET, "invalid", lang), 303)
    return RedirectResponse(link_pages.result_location(link_pages.RESET, "done", lang), 303)


@routes.api_route("/logout", methods=["GET", "HEAD"])
async def logout(principal: CurrentPrincipal) -> dict[str, Any]:
    sessions.sign_out(principal)
    return documentarian.success(documentarian.SIGNED_OUT)


# ---- demand ----


@routes.api_route("/demand", methods=["GET", "HEAD"])
async def list_demands(request: Request, response: Response, actor: CurrentUser) -> list[dict[str, Any]]:
    limit, after = documentarian.page_request(dict(request.query_params))
    found, next_after = demands.page(limit, after)
    paged(response, next_after)
    return [documentarian.demand_view(demand) for demand in found]


@routes.post("/demand", status_code=201)
async def create_demand(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    data = validate(body, DEMAND, DEMAND_MESSAGES)
    return documentarian.demand_view(demands.create(actor, **data))


@routes.api_route("/demand/{demand}", methods=["GET", "HEAD"])
async def show_demand(demand: str, actor: CurrentUser) -> dict[str, Any]:
    return documentarian.demand_view(demands.find(demand))


@routes.api_route("/demand/{demand}", methods=["PUT", "PATCH"])
async def update_demand(demand: str, actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    found = demands.find(demand)
    data = validate(body, DEMAND_CHANGES)
    return documentarian.demand_view(demands.update(actor, found, data))


@routes.delete("/demand/{demand}")
async def delete_demand(demand: str, actor: CurrentUser) -> bool:
    demands.remove(actor, demands.find(demand))
    return True


# ---- user ----


@routes.api_route("/user", methods=["GET", "HEAD"])
async def list_users(request: Request, response: Response, actor: CurrentUser) -> list[dict[str, Any]]:
    limit, after = documentarian.page_request(dict(request.query_params))
    after_id = documentarian_users.user_id_for(after) if after is not None else None
    if after is not None and after_id is None:
        raise ValidationFailed.single("after", "format")
    found, next_after = documentarian_users.visible_page(actor, limit, after_id)
    paged(response, object_ids.user_object_id(next_after) if next_after is not None else None)
    return [documentarian.user_view(user) for user in found]


@routes.post("/user", status_code=201)
async def create_user(actor: CurrentUser, body: RequestBody, base_url: PublicBaseUrl) -> dict[str, Any]:
    data = validate(body, REGISTRATION)
    user = documentarian_users.create(
        actor,
        email=data["email"],
        password=data["password"],
        attributes=documentarian_users.profile_attributes(data),
        mail_context=MailContext("a", base_url),
    )
    return documentarian.user_view(user)


@routes.api_route("/user/{user}", methods=["GET", "HEAD"])
async def show_user(user: str, actor: CurrentUser) -> dict[str, Any]:
    return documentarian.user_view(documentarian_users.find(actor, documentarian_users.user_id_for(user)))


@routes.api_route("/user/{user}", methods=["PUT", "PATCH"])
async def update_user(
    user: str, actor: CurrentUser, body: RequestBody, base_url: PublicBaseUrl
) -> dict[str, Any]:
    target = documentarian_users.find(actor, documentarian_users.user_id_for(user))
    data = validate(body, USER_CHANGES)
    documentarian_users.update(actor, target, data, MailContext("a", base_url))
    return documentarian.user_view(target)


@routes.delete("/user/{user}")
async def delete_user(user: str, actor: CurrentUser) -> bool:
    target = documentarian_users.find(actor, documentarian_users.user_id_for(user))
    documentarian_users.remove(actor, target)
    return True


# ---- user_meta ----


@routes.api_route("/user_meta", methods=["GET", "HEAD"])
async def list_user_metas(request: Request, response: Response, actor: CurrentUser) -> list[dict[str, Any]]:
    query = dict(request.query_params)
    limit, after = documentarian.page_request(query)
    owner = validate(query, {"user__id": optional(max=object_ids.LENGTH)}).get("user__id")
    owner_id = documentarian_users.user_id_for(owner) if owner is not None else None
    if owner is not None and owner_id is None:
        raise ValidationFailed.single("user__id", "format")
    found, next_after = user_meta.page(actor, limit, after, owner_id)
    paged(response, next_after)
    return [documentarian.user_meta_view(meta) for meta in found]


# The original's UserMetaController::store answered 200 with the meta, and update a bare `true`.
@routes.post("/user_meta")
async def create_user_meta(actor: CurrentUser, body: RequestBody) -> dict[str, Any]:
    data = validate(body, USER_META, USER_META_MESSAGES)
    owner_id = documentarian_users.user_id_for(data["user__id"])
    meta = user_meta.create(actor, owner_id=owner_id, key=data["key"], value=data["value"])
    return documentarian.user_meta_view(meta)


@routes.api_route("/user_meta/{user_metum}", methods=["GET", "HEAD"])
async def show_user_meta(user_metum: str, actor: CurrentUser) -> dict[str, Any]:
    return documentarian.user_meta_view(user_meta.find(actor, user_metum))


@routes.api_route("/user_meta/{user_metum}", methods=["PUT", "PATCH"])
async def update_user_meta(user_metum: str, actor: CurrentUser, body: RequestBody) -> bool:
    meta = user_meta.find(actor, user_metum)
    data = validate(body, USER_META, USER_META_MESSAGES)
    owner_id = documentarian_users.user_id_for(data["user__id"])
    user_meta.update(actor, meta, owner_id=owner_id, key=data["key"], value=data["value"])
    return True


@routes.delete("/user_meta/{user_metum}")
async def delete_user_meta(user_metum: str, actor: CurrentUser) -> bool:
    with documentarian.removal():
        user_meta.remove(actor, user_meta.find(actor, user_metum))
    return True


app = create_app(
    routes,
    surfaces=[
        (f"/api/v1/{resource}/", documentarian.SURFACE)
        for resource in (
            "register",
            "login",
            "recover",
            "reset",
            "verify",
            "logout",
            "demand",
            "user",
            "user_meta",
        )
    ],
)
handler = lambda_handler(app, service="documentarian")
