"""Writes about users: creation, role changes, deactivation, API tokens."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import ApiToken, User
from rapport.core.changelog import record_change, snapshot
from rapport.core.models import ChangeAction
from rapport.core.services import require_administrator

USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "department",
    "team",
    "branch",
    "language",
    "is_active",
]


def user_create(*, actor: User | None, password: str | None = None, **fields) -> User:
    if actor is not None:
        require_administrator(actor)
    with transaction.atomic():
        user = User(**fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        record_change(
            actor=actor, action=ChangeAction.CREATE, obj=user, after=snapshot(user, USER_FIELDS)
        )
    return user


def user_update(*, actor: User, user: User, **fields) -> User:
    require_administrator(actor)
    with transaction.atomic():
        before = snapshot(user, USER_FIELDS)
        for key, value in fields.items():
            setattr(user, key, value)
        user.full_clean(exclude=["password"])
        user.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=user,
            before=before,
            after=snapshot(user, USER_FIELDS),
        )
        if not user.is_active:
            transaction.on_commit(lambda: end_sessions(user))
    return user


def user_deactivate(*, actor: User, user: User) -> User:
    return user_update(actor=actor, user=user, is_active=False)


def end_sessions(user: User) -> int:
    """Log the user out everywhere: browser sessions and API tokens stop working at once."""
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        user_session.end()
        ended += 1
    # Sessions that predate session tracking are found by decoding (rare, small table scan).
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        from django.core.exceptions import ValidationError

        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    return ApiToken.issue(user=actor, name=name[:100])


def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not actor.is_administrator:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


PROFILE_FIELDS = ["first_name", "last_name", "email", "language", "phone"]


def profile_update(*, actor: User, **fields) -> User:
    """A user changes their own name, e-mail, language and phone."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = snapshot(user, PROFILE_FIELDS)
        for key, value in fields.items():
            if key in PROFILE_FIELDS:
                setattr(user, key, value)
        user.full_clean(exclude=["password"])
        user.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=user,
            before=before,
            after=snapshot(user, PROFILE_FIELDS),
        )
    return user
