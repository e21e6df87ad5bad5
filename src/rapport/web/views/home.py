"""Home page and the global search box."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.views.generic import TemplateView

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.search import search_sorted
from rapport.core.text import translit


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        from django.utils import timezone

        today = timezone.localdate()
        days = [today + timezone.timedelta(days=i) for i in range(8)]
        mine = Q(curator=user) | Q(owner=user)
        return {
            **super().get_context_data(**kwargs),
            "my_companies": Company.objects.restrict(user).filter(mine).order_by("-updated_at")[:8],
            "birthdays": sorted(
                Person.objects.restrict(user).filter(
                    birthday_md__in={d.month * 100 + d.day for d in days}
                )[:20],
                key=lambda p: p.days_to_birthday(today),
            ),
            "recent_activities": Activity.objects.restrict(user)
            .filter(owner=user)
            .select_related("company", "person")[:10],
        }


class SearchView(LoginRequiredMixin, TemplateView):
    """Companies and people by name, e-mail or phone, from the box in the top bar."""

    def get_template_names(self):
        if self.request.htmx:
            return ["web/search_results.html"]
        return ["web/search.html"]

    def get_context_data(self, **kwargs):
        user = self.request.user
        term = (self.request.GET.get("q") or "").strip()[:100]
        companies = people = []
        if term:
            limit = 8 if self.request.htmx else 50
            digits = "".join(ch for ch in term if ch.isdigit())
            search = digits if len(digits) >= 6 and len(digits) >= len(term) - 4 else term
            companies = list(
                search_sorted(Company.objects.restrict(user), search, ("name", "pk"))[:limit]
            )
            people = list(
                search_sorted(
                    Person.objects.restrict(user), search, ("last_name", "first_name", "pk")
                )[:limit]
            )
        return {
            **super().get_context_data(**kwargs),
            "term": term,
            "translit": translit(term),
            "companies": companies,
            "people": people,
        }
