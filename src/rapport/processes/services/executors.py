"""Who carries out a stage of a process started on a record.

A template names a person, a department or a role; a running stage has a person or a
department's queue. A role is resolved from the record's owner (else the process controller):

1. the owner themselves, if they have the role;
2. else the colleague in the owner's team with that role who has the fewest open tasks;
3. else such a colleague in the owner's department;
4. else anyone active with that role (directors and the service desk sit in no sales team);
5. else the queue of the owner's department, where any member may take the task.

Nobody at all with the role and no department to queue in is a clear error when the process
is started (it is never half-started).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from rapport.accounts.choices import Role
from rapport.accounts.models import Department, User
from rapport.activities.choices import OPEN_TASK_STATUSES
from rapport.core.errors import ValidationError


def _least_loaded(users) -> User | None:
    """The user among ``users`` with the fewest open tasks (then the first by id)."""
    return (
        users.filter(is_active=True)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status__in=OPEN_TASK_STATUSES)))
        .order_by("open_tasks", "pk")
        .first()
    )


def department_has_members(department_id: int) -> bool:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(department_id=department_id) | Q(team__department_id=department_id))
        .exists()
    )


def department_members(department_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(department_id=department_id) | Q(team__department_id=department_id))
        .distinct()
        .order_by("pk")
    )


def resolve_role(role: str, *, anchor: User | None, stage_name: str):
    """(user, None) or (None, department) for a stage carried out by ``role``."""
    if anchor is not None and anchor.is_active and anchor.role == role:
        return anchor, None
    candidates = User.objects.filter(role=role)
    if anchor is not None and anchor.team_id:
        found = _least_loaded(candidates.filter(team_id=anchor.team_id))
        if found is not None:
            return found, None
    department_id = anchor.department_id_for_scope if anchor is not None else None
    if department_id is not None:
        found = _least_loaded(
            candidates.filter(Q(department_id=department_id) | Q(team__department_id=department_id))
        )
        if found is not None:
            return found, None
    found = _least_loaded(candidates)
    if found is not None:
        return found, None
    if department_id is not None and department_has_members(department_id):
        return None, Department.objects.get(pk=department_id)
    raise ValidationError(
        _("Nobody has the role “%(role)s” to carry out the stage “%(stage)s”.")
        % {"role": Role(role).label, "stage": stage_name}
    )


def check_executor(*, user, department, stage_name: str) -> None:
    """A stage's executor must be an active person or a department with active members."""
    if user is not None and department is not None:
        raise ValidationError(
            {"executor_user": _("Choose one executor: a person or a department, not both.")}
        )
    if user is not None:
        if not user.is_active:
            raise ValidationError(
                {
                    "executor_user": _(
                        "%(user)s, who should carry out “%(stage)s”, is no longer active."
                    )
                    % {"user": user, "stage": stage_name}
                }
            )
        return
    if department is not None:
        if not department_has_members(department.pk):
            raise ValidationError(
                {
                    "executor_department": _(
                        "The department %(department)s has no members: nobody would carry out "
                        "“%(stage)s”."
                    )
                    % {"department": department, "stage": stage_name}
                }
            )
        return
    raise ValidationError(
        {
            "executor_user": _("Choose who carries out “%(stage)s”: a person or a department.")
            % {"stage": stage_name}
        }
    )


def resolve_executor(stage_template, *, anchor: User | None):
    """(user, department) for a template stage on a record whose owner is ``anchor``."""
    if stage_template.executor_user_id:
        user = stage_template.executor_user
        check_executor(user=user, department=None, stage_name=stage_template.name)
        return user, None
    if stage_template.executor_department_id:
        department = stage_template.executor_department
        check_executor(user=None, department=department, stage_name=stage_template.name)
        return None, department
    return resolve_role(stage_template.executor_role, anchor=anchor, stage_name=stage_template.name)
