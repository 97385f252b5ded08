"""Documentarian function. Surface A (a Laravel app documented by Documentarian): /api/v1/register,
login, recover, reset, verify, logout and the demand, user and user_meta resources.
(A's /api/v1/position is served with surface C's positions, the same entity.)"""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from gatehouse import object_ids
from gatehouse.contracts.documentarian import (
    Credentials,
    Demand,
    DemandChanges,
    DemandView,
    Done,
    IssuedToken,
    Page,
    PasswordReset,
    Recovery,
    Registration,
    Success,
    SuccessData,
    UserChanges,
    UserMeta,
    UserMetaPage,
    UserMetaView,
    UserView,
    Verification,
    answers,
)
from gatehouse.data.demands import DemandItem
from gatehouse.data.models import UserItem
from gatehouse.data.user_meta import UserMetaItem
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
from gatehouse.web.app import BODY_MODEL, QUERY_MODEL, Routes, create_app, lambda_handler
from gatehouse.web.deps import Body, CurrentPrincipal, CurrentUser, Query, SentBody
from gatehouse.web.request_info import PublicBaseUrl

routes = Routes(prefix="/api/v1")


# What a path names is looked up before the body is read, as Laravel's route model binding
# runs before the form request: an unknown id answers 404 whatever the body holds.
async def found_demand(demand: str) -> DemandItem:
    return demands.find(demand)


async def found_user(user: str, actor: CurrentUser) -> UserItem:
    return documentarian_users.find(actor, documentarian_users.user_id_for(user))


async def found_user_meta(user_metum: str, actor: CurrentUser) -> UserMetaItem:
    return user_meta.find(actor, user_metum)


FoundDemand = Annotated[DemandItem, Depends(found_demand)]
FoundUser = Annotated[UserItem, Depends(found_user)]
FoundUserMeta = Annotated[UserMetaItem, Depends(found_user_meta)]


def paged(response: Response, next_after: str | None) -> None:
    if next_after is not None:
        response.headers[documentarian.NEXT_PAGE_HEADER] = next_after


# ---- sign-up, sign-in, recovery, sign-out ----


@routes.post("/register", responses=answers(400, 422))
async def register(body: Body[Registration], base_url: PublicBaseUrl) -> Success:
    accounts.sign_up(
        email=body.email,
        password=body.password,
        attributes=documentarian_users.profile_attributes(body),
        mail_context=MailContext("a", base_url),
    )
    return documentarian.success(documentarian.REGISTERED)


def wants_page(request: Request) -> bool:
    """A browser submitting the form of a link page (it asks for HTML); API clients get JSON."""
    return "text/html" in request.headers.get("accept", "")


@routes.get(
    "/verify", responses=answers(404, 422, others={303: None}), openapi_extra={QUERY_MODEL: Verification}
)
async def verify(request: Request) -> Success | RedirectResponse:
    # Parsed here, not by a dependency: the page's browser is redirected, not answered 422.
    if wants_page(request):
        lang = request.query_params.get("lang")
        try:
            verification.verify_email(Verification.parse(request.query_params).token)
        except (NotFound, ValidationFailed):
            return RedirectResponse(link_pages.result_location(link_pages.VERIFY, "invalid", lang), 303)
        return RedirectResponse(link_pages.result_location(link_pages.VERIFY, "done", lang), 303)
    verification.verify_email(Verification.parse(request.query_params).token)
    return documentarian.success(documentarian.VERIFIED)


@routes.post("/login", responses=answers(400, 401, 403, 422))
async def login(body: Body[Credentials]) -> IssuedToken:
    user = accounts.sign_in(body.email, body.password)
    issued = sessions.start(user, DOCUMENTARIAN_JWT, extra_claims=documentarian.roles_claim(user))
    return documentarian.token_response(issued.token)


@routes.post("/recover", responses=answers(400, 422))
async def recover(body: Body[Recovery], base_url: PublicBaseUrl) -> SuccessData:
    password_reset.recover(body.email, MailContext("a", base_url))
    return documentarian.success_data(documentarian.RECOVERY_SENT)


@routes.post(
    "/reset", responses=answers(400, 422, others={303: None}), openapi_extra={BODY_MODEL: PasswordReset}
)
async def reset(request: Request, body: SentBody) -> Success | RedirectResponse:
    # Parsed here, not by a dependency: the page's refused form goes back to the page, not to a 422.
    if wants_page(request):
        return reset_from_page(body)
    submitted = PasswordReset.parse(body)
    password_reset.reset_password(submitted.token, submitted.password)
    return documentarian.success(documentarian.PASSWORD_RESET)


def reset_from_page(body: Mapping[str, object]) -> RedirectResponse:
    """The reset page's form: back to the page with the outcome (a mistyped password keeps the link)."""
    lang, token = (value if isinstance(value := body.get(name), str) else None for name in ("lang", "token"))
    try:
        submitted = PasswordReset.parse(body)
    except ValidationFailed as refused:
        token_ok = token and not any(v.field == "token" for v in refused.violations)
        outcome = "password_error" if token_ok else "invalid"
        location = link_pages.result_location(link_pages.RESET, outcome, lang, token if token_ok else None)
        return RedirectResponse(location, 303)
    try:
        password_reset.reset_password(submitted.token, submitted.password)
    except ValidationFailed:
        return RedirectResponse(link_pages.result_location(link_pages.RESET, "invalid", lang), 303)
    return RedirectResponse(link_pages.result_location(link_pages.RESET, "done", lang), 303)


@routes.api_route("/logout", methods=["GET", "HEAD"], responses=answers(401))
async def logout(principal: CurrentPrincipal) -> Success:
    sessions.sign_out(principal)
    return documentarian.success(documentarian.SIGNED_OUT)


# ---- demand ----


@routes.api_route("/demand", methods=["GET", "HEAD"], responses=answers(401, 422))
async def list_demands(query: Query[Page], response: Response, actor: CurrentUser) -> list[DemandView]:
    found, next_after = demands.page(query.size, query.after)
    paged(response, next_after)
    return [documentarian.demand_view(demand) for demand in found]


@routes.post("/demand", status_code=201, responses=answers(400, 401, 422))
async def create_demand(actor: CurrentUser, body: Body[Demand]) -> DemandView:
    created = demands.create(
        actor, name=body.name, description=body.description, responsible_id=body.responsible_id
    )
    return documentarian.demand_view(created)


@routes.api_route("/demand/{demand}", methods=["GET", "HEAD"], responses=answers(401, 404))
async def show_demand(demand: str, actor: CurrentUser) -> DemandView:
    return documentarian.demand_view(demands.find(demand))


@routes.api_route("/demand/{demand}", methods=["PUT", "PATCH"], responses=answers(400, 401, 403, 404, 422))
async def update_demand(
    demand: str, actor: CurrentUser, found: FoundDemand, body: Body[DemandChanges]
) -> DemandView:
    return documentarian.demand_view(demands.update(actor, found, body))


@routes.delete("/demand/{demand}", responses=answers(401, 403, 404))
async def delete_demand(demand: str, actor: CurrentUser) -> Done:
    demands.remove(actor, demands.find(demand))
    return True


# ---- user ----


@routes.api_route("/user", methods=["GET", "HEAD"], responses=answers(401, 422))
async def list_users(query: Query[Page], response: Response, actor: CurrentUser) -> list[UserView]:
    after = query.after
    after_id = documentarian_users.user_id_for(after) if after is not None else None
    if after is not None and after_id is None:
        raise ValidationFailed.single("after", "format")
    found, next_after = documentarian_users.visible_page(actor, query.size, after_id)
    paged(response, object_ids.user_object_id(next_after) if next_after is not None else None)
    return [documentarian.user_view(user) for user in found]


@routes.post("/user", status_code=201, responses=answers(400, 401, 403, 422))
async def create_user(actor: CurrentUser, body: Body[Registration], base_url: PublicBaseUrl) -> UserView:
    user = documentarian_users.create(actor, body, MailContext("a", base_url))
    return documentarian.user_view(user)


@routes.api_route("/user/{user}", methods=["GET", "HEAD"], responses=answers(401, 403, 404))
async def show_user(user: str, actor: CurrentUser) -> UserView:
    return documentarian.user_view(documentarian_users.find(actor, documentarian_users.user_id_for(user)))


@routes.api_route("/user/{user}", methods=["PUT", "PATCH"], responses=answers(400, 401, 403, 404, 422))
async def update_user(
    user: str, actor: CurrentUser, target: FoundUser, body: Body[UserChanges], base_url: PublicBaseUrl
) -> UserView:
    documentarian_users.update(actor, target, body, MailContext("a", base_url))
    return documentarian.user_view(target)


@routes.delete("/user/{user}", responses=answers(401, 403, 404))
async def delete_user(user: str, actor: CurrentUser) -> Done:
    target = documentarian_users.find(actor, documentarian_users.user_id_for(user))
    documentarian_users.remove(actor, target)
    return True


# ---- user_meta ----


@routes.api_route("/user_meta", methods=["GET", "HEAD"], responses=answers(401, 422))
async def list_user_metas(
    query: Query[UserMetaPage], response: Response, actor: CurrentUser
) -> list[UserMetaView]:
    owner = query.user__id
    owner_id = documentarian_users.user_id_for(owner) if owner is not None else None
    if owner is not None and owner_id is None:
        raise ValidationFailed.single("user__id", "format")
    found, next_after = user_meta.page(actor, query.size, query.after, owner_id)
    paged(response, next_after)
    return [documentarian.user_meta_view(meta) for meta in found]


# The original's UserMetaController::store answered 200 with the meta, and update a bare `true`.
@routes.post("/user_meta", responses=answers(400, 401, 403, 422))
async def create_user_meta(actor: CurrentUser, body: Body[UserMeta]) -> UserMetaView:
    owner_id = documentarian_users.user_id_for(body.user__id)
    meta = user_meta.create(actor, owner_id=owner_id, key=body.key, value=body.value)
    return documentarian.user_meta_view(meta)


@routes.api_route("/user_meta/{user_metum}", methods=["GET", "HEAD"], responses=answers(401, 403, 404))
async def show_user_meta(user_metum: str, actor: CurrentUser) -> UserMetaView:
    return documentarian.user_meta_view(user_meta.find(actor, user_metum))


@routes.api_route(
    "/user_meta/{user_metum}", methods=["PUT", "PATCH"], responses=answers(400, 401, 403, 404, 422)
)
async def update_user_meta(
    user_metum: str, actor: CurrentUser, meta: FoundUserMeta, body: Body[UserMeta]
) -> Done:
    owner_id = documentarian_users.user_id_for(body.user__id)
    user_meta.update(actor, meta, owner_id=owner_id, key=body.key, value=body.value)
    return True


@routes.delete("/user_meta/{user_metum}", responses=answers(401, 403, 404))
async def delete_user_meta(user_metum: str, actor: CurrentUser) -> Done:
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
