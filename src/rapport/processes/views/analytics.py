"""Process analytics: time per stage and per executor, and where processes stall."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from rapport.processes.selectors import analytics_templates, template_analytics


class AnalyticsView(LoginRequiredMixin, TemplateView):
    template_name = "processes/analytics.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        templates = list(analytics_templates(user))
        wanted = self.request.GET.get("template", "")
        chosen = next((t for t in templates if str(t.pk) == wanted), None)
        if chosen is None and templates:
            chosen = templates[0]
        figures = template_analytics(chosen, user=user) if chosen else None
        if figures is not None:
            # Bars of the average time per stage, relative to the longest average.
            longest = max((s.average for s in figures.stages if s.average), default=None)
            for stage in figures.stages:
                stage.bar = int(stage.average / longest * 100) if stage.average and longest else 0
        return {
            **super().get_context_data(**kwargs),
            "templates": templates,
            "chosen": chosen,
            "figures": figures,
        }
