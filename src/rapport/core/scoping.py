"""Row-level scoping: the single permission choke point for business data.

Every business model declares a ``scope`` policy. ``RestrictedQuerySet.restrict(user, action)``
turns the policy into a filter for one user; views, API viewsets, exports and services use it, and
nothing else decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from rapport.accounts.models import User

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
ACTIONS = (VIEW, CHANGE, DELETE)


def user_is_active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_write(user: Any) -> bool:
    """Whether the user's role allows writing business data at all."""
    return user_is_active(user) and not user.is_read_only


@dataclass(frozen=True)
class OwnedScope:
    """A record owned by a user, curated by a user and belonging to a team.

    A rep sees what they own or curate or what belongs to one of their teams; a head of department
    sees the department's teams and users; a director, an administrator and an auditor see all.
    """

    owner: str | None = "owner"
    curator: str | None = None
    team: str | None = "team"

    def q_for(self, user: User, action: str) -> Q:
        if user.is_head_of_department:
            team_ids, user_ids = user.department_team_ids, user.department_user_ids
        else:
            team_ids, user_ids = user.team_ids, [user.pk]
        q = Q(pk__in=[])
        if self.team:
            q |= Q(**{f"{self.team}_id__in": team_ids})
        for name in (self.owner, self.curator):
            if name:
                q |= Q(**{f"{name}_id__in": user_ids})
        return q


@dataclass(frozen=True)
class ParentScope:
    """A record visible through any of its parents (e.g. an activity via its company or person)."""

    parents: tuple[str, ...]
    owner: str | None = "owner"
    extra: dict[str, str] = field(default_factory=dict)

    def q_for(self, user: User, action: str) -> Q:
        from django.apps import apps

        q = Q(pk__in=[])
        for name in self.parents:
            model = self.extra.get(name)
            related = apps.get_model(model) if model else None
            if related is None:
                raise LookupError(f"ParentScope needs the model label of {name!r} in extra")
            q |= Q(**{f"{name}__in": related.objects.restrict(user, action).values("pk")})
        if self.owner and action == VIEW:
            q |= Q(**{f"{self.owner}_id": user.pk})
        return q


@dataclass(frozen=True)
class GlobalScope:
    """Reference data everyone may read; only administrators change it."""

    def q_for(self, user: User, action: str) -> Q:
        if action == VIEW or user.is_administrator:
            return Q()
        return Q(pk__in=[])


@dataclass(frozen=True)
class SplitScope:
    """Different rules for reading and for writing (e.g. an activity: read via its customer,
    changed only by whoever logged it)."""

    view: Any
    change: Any

    def q_for(self, user: User, action: str) -> Q:
        policy = self.view if action == VIEW else self.change
        return policy.q_for(user, action)


@dataclass(frozen=True)
class PersonalScope:
    """Records of one user only, whatever their role: no head or director reads another's
    notifications or calendar feed."""

    owner: str = "user"

    def q_for(self, user: User, action: str) -> Q:
        return Q(**{f"{self.owner}_id": user.pk})


@dataclass(frozen=True)
class DepartmentScope:
    """Records waiting in a department's queue: every member of that department sees them (and
    may take them); its head is a member too."""

    department: str = "department"

    def q_for(self, user: User, action: str) -> Q:
        department = user.department_id_for_scope
        if department is None:
            return Q(pk__in=[])
        return Q(**{f"{self.department}_id": department})


@dataclass(frozen=True)
class MemberScope:
    """Records a user takes part in through a link table (e.g. a meeting's participants)."""

    through: str  # "app_label.Model" of the link table
    link: str  # its field pointing at the record
    user: str = "user"

    def q_for(self, user: User, action: str) -> Q:
        from django.apps import apps

        links = apps.get_model(self.through)._base_manager.filter(**{f"{self.user}_id": user.pk})
        return Q(pk__in=links.values(f"{self.link}_id"))


@dataclass(frozen=True)
class AnyScope:
    """Visible when any of the policies lets it through (e.g. a task: its assignee's and author's
    side, or whoever sees the customer it is about)."""

    policies: tuple[Any, ...]

    def q_for(self, user: User, action: str) -> Q:
        q = Q(pk__in=[])
        for policy in self.policies:
            q |= policy.q_for(user, action)
        return q


@dataclass(frozen=True)
class AdminScope:
    """Configuration only administrators see and change (it may hold secrets)."""

    def q_for(self, user: User, action: str) -> Q:
        return Q() if user.is_administrator else Q(pk__in=[])


def restrict(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if not user_is_active(user):
        return queryset.none()
    if action != VIEW and user.is_read_only:
        return queryset.none()
    policy = getattr(queryset.model, "scope", None)
    if policy is None:
        raise LookupError(f"{queryset.model.__name__} declares no scope policy")
    if user.sees_everything and not isinstance(policy, GlobalScope | AdminScope | PersonalScope):
        return queryset
    return queryset.filter(policy.q_for(user, action))
