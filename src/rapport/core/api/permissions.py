"""Role gate of the API: active users only; read-only roles may only read."""

from rest_framework import permissions

from rapport.core import scoping


class RolePermission(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not scoping.user_is_active(user):
            return False
        if request.method in permissions.SAFE_METHODS:
            reader = getattr(view, "required_role_for_reading", None)
            return reader is None or reader(user)
        required = getattr(view, "required_role", None)
        if required and not required(user):
            return False
        return scoping.may_write(user) or getattr(view, "read_only_roles_may_post", False)
