"""Email changes that a stolen token cannot turn into a takeover (ASVS 7.5.1).

A user changing their own address: nothing changes yet. A confirmation link goes to the
new address and a notice to the current one, both written in one transaction with the
confirmation token; sign-in and recovery keep using the current address until the link is
followed. The new address is claimed only then, by the conditional write that moves the
uniqueness claim (`apply`), so a pending change reserves nothing: nobody can squat on an
address by asking for it, and whoever confirms first gets it. Asking is refused (422, the
field's `unique`) when the address already belongs to someone else; a later request
supersedes nothing (each link is single-use and dies once the address changes).

Someone else (an administrator) changing a user's address: it takes effect at once, as
the surfaces' admin contracts answer the new address; the address is unverified again, a
verification link goes to it and a notice to the previous one, in the change's transaction.
"""

from __future__ import annotations

from typing import Any

from gatehouse.clock import iso, now
from gatehouse.data import users
from gatehouse.data.models import Item, UserItem
from gatehouse.errors import ValidationFailed
from gatehouse.services import mail, one_time_links, verification
from gatehouse.services.identity import canonical
from gatehouse.services.mail import MailContext


def owner_request(user: UserItem, new_email: str, context: MailContext, field: str) -> list[Item]:
    """The items of a user's own request for `new_email`: token, confirmation, notice."""
    owner = users.owner_of("email", canonical(new_email))
    if owner is not None and owner != user.id:
        raise ValidationFailed.single(field, "unique")
    token, item = one_time_links.issue(
        verification.PURPOSE, user, verification.LIFETIME_SECONDS, new_email=new_email
    )
    link = context.verify_link(token)
    return [
        item,
        mail.message("email_change_confirm", context, new_email, link=link, new_email=new_email),
        mail.message("email_change_notice", context, user.email, new_email=new_email),
    ]


def admin_change(user: UserItem, new_email: str, context: MailContext) -> list[Item]:
    """The items of an administrator's change to `new_email` (applied by the caller's transaction):
    a verification link to the new address and a notice to the previous one."""
    moved = UserItem(user.PK, user.SK, id=user.id, email=new_email)
    return [
        *verification.verification_mail(moved, context),
        mail.message("email_change_notice", context, user.email, new_email=new_email),
    ]


def apply(user: UserItem, new_email: str) -> None:
    """A followed confirmation link: the address moves (claimed now, conditionally) and is verified."""
    old = user.email
    changes: dict[str, Any] = {"email": new_email, "is_verified": True, "updated_at": iso(now())}
    try:
        users.update_with_claims(
            user,
            changes,
            add_claims=[("email", canonical(new_email))],
            drop_claims=[("email", canonical(old))],
            condition=UserItem.email == old,
        )
    except users.ValuesTaken:
        raise ValidationFailed.single("email", "unique") from None
