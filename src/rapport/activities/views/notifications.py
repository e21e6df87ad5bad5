"""The notification centre: the bell's unread badge (polled), its menu, the full list, opening a
notification (marks it read and goes where it points) and marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.core.models import Notification
from rapport.core.notifications import notifications_mark_read, unread_count
from rapport.core.paging import BoundedPaginator, page_hint

# htmx stops polling on this status: a signed-out page must not keep asking (nor show the
# sign-in page in the badge).
STOP_POLLING = 286
MENU_SIZE = 8


def _mine(user):
    return Notification.objects.restrict(user)


class NotificationBadgeView(View):
    """Just the badge: one COUNT on the partial index of unread notifications."""

    def get(self, request):
        if not request.user.is_authenticated:
            return HttpResponse("", status=STOP_POLLING)
        return TemplateResponse(
            request, "activities/notification_badge.html", {"unread": unread_count(request.user)}
        )


class NotificationMenuView(LoginRequiredMixin, TemplateView):
    """The bell's drop-down: the latest few, loaded when it opens."""

    template_name = "activities/notification_menu.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        latest = list(_mine(user).order_by("-created_at", "-pk")[: MENU_SIZE + 1])
        return {
            **super().get_context_data(**kwargs),
            "notifications": latest[:MENU_SIZE],
            "more": len(latest) > MENU_SIZE,
            "unread": sum(1 for n in latest if n.read_at is None),
        }


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "activities/notification_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unread_only = self.request.GET.get("unread") == "1"
        rows = _mine(user).order_by("-created_at", "-pk")
        if unread_only:
            rows = rows.filter(read_at__isnull=True)
        number = self.request.GET.get("page")
        page = BoundedPaginator(rows, 30, page_hint=page_hint(number)).get_page(number)
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "unread_only": unread_only,
            "query_without_page": "unread=1" if unread_only else "",
            "unread": unread_count(user),
        }


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark the notification read and go to what it is about (a link inside the site only)."""

    def get(self, request, pk):
        note = _mine(request.user).filter(pk=pk).first()
        if note is None:
            raise Http404
        notifications_mark_read(actor=request.user, ids=[note.pk])
        target = note.url
        if target and url_has_allowed_host_and_scheme(
            target, {request.get_host()}, request.is_secure()
        ):
            return redirect(target)
        return redirect("activities:notification_list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        marked = notifications_mark_read(actor=request.user)
        if marked:
            messages.success(request, _("All notifications are marked read."))
        target = request.POST.get("next", "")
        if not (
            target
            and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
        ):
            target = reverse("activities:notification_list")
        return redirect(target)
