"""Base views: every page that shows business data gets it through ``restrict``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from rapport.core import scoping
from rapport.core.errors import DomainError, NotFound
from rapport.core.filtering import asks_to_filter
from rapport.core.paging import BoundedPaginator, page_hint
from rapport.core.search import unindexed_order


class ScopedMixin(LoginRequiredMixin):
    """Looks objects up through ``Model.objects.restrict(user, action)``: missing == forbidden."""

    model = None
    action = scoping.VIEW

    def scoped_queryset(self, action: str | None = None) -> QuerySet:
        return self.model.objects.restrict(self.request.user, action or self.action)

    def get_scoped_object(self, pk=None, action: str | None = None):
        pk = pk if pk is not None else self.kwargs.get("pk")
        obj = self.scoped_queryset(action).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None


class WriterRequiredMixin:
    """Read-only roles (the auditor) get 404 for every writing page, like anything out of scope."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.may_write(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class RoleRequiredMixin(LoginRequiredMixin):
    """Pages for particular roles (administration, change log)."""

    def has_role(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.has_role(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AdministratorRequiredMixin(RoleRequiredMixin):
    """Administration pages (users, settings, integrations): 404 for everyone else."""

    def has_role(self, user) -> bool:
        return user.is_administrator


class FilteredListMixin(ScopedMixin):
    """A list with a shared FilterSet, whitelisted sorting and pages counted up to a bound."""

    filterset_class = None
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = ""
    page_size = 50
    max_page_size = 200

    @cached_property
    def filterset(self):
        # Unbound when nothing is filtered: the form shows empty fields and the list is the
        # scope as it is, without validating a form of empty values (see asks_to_filter).
        params = self.request.GET
        data = params if asks_to_filter(self.filterset_class, params) else None
        return self.filterset_class(data, queryset=self.scoped_queryset(), request=self.request)

    def sort_key(self) -> str:
        key = self.request.GET.get("sort", self.default_sort)
        return key if key.lstrip("-") in self.sort_fields else self.default_sort

    def sorted_queryset(self, qs: QuerySet, *, few: bool = False) -> QuerySet:
        key = self.sort_key()
        fields = self.sort_fields[key.lstrip("-")]
        prefix = "-" if key.startswith("-") else ""
        order = [prefix + f for f in fields]
        # A search with few matches is sorted from them (see core.search.unindexed_order).
        return qs.order_by(*(unindexed_order(order) if few else order))

    def filtered_queryset(self) -> QuerySet:
        fs = self.filterset
        qs = fs.qs if not fs.is_bound or fs.is_valid() else self.scoped_queryset().none()
        return self.sorted_queryset(qs, few=getattr(fs, "few_search_matches", False))

    def page(self):
        try:
            size = min(int(self.request.GET.get("per_page", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        number = self.request.GET.get("page")
        paginator = BoundedPaginator(
            self.filtered_queryset(), max(size, 1), page_hint=page_hint(number)
        )
        return paginator.get_page(number)

    def query_without(self, *names: str) -> str:
        params = self.request.GET.copy()
        for name in names:
            params.pop(name, None)
        return urlencode([(k, v) for k in params for v in params.getlist(k)])


def domain_error_to_form(form, exc) -> None:
    """Show a service's ValidationError or DomainError on the form it came from."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            for message in exc.messages:
                form.add_error(None, message)
    elif isinstance(exc, DomainError):
        form.add_error(None, str(exc.message))
    elif isinstance(exc, PermissionDenied):
        raise Http404
    else:
        raise exc


def job_file_response(job):
    """The file a job produced, as a download (404 while there is none)."""
    from django.http import HttpResponse

    from rapport.core.models import JobFile

    output = JobFile.objects.filter(job=job, role="output").first()
    if output is None:
        raise Http404
    response = HttpResponse(bytes(output.content), content_type=output.content_type)
    response["Content-Disposition"] = f'attachment; filename="{output.name}"'
    return response
