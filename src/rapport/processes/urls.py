"""URLs of the processes app: the dashboard, a process and its stages, templates, analytics."""

from django.urls import path

from rapport.processes.views import analytics, instances, templates

app_name = "processes"
urlpatterns = [
    path("processes/", instances.DashboardView.as_view(), name="dashboard"),
    path(
        "processes/start/<str:record_type>/<int:pk>/",
        instances.ProcessStartView.as_view(),
        name="process_start",
    ),
    path("processes/analytics/", analytics.AnalyticsView.as_view(), name="analytics"),
    path("processes/<int:pk>/", instances.ProcessDetailView.as_view(), name="process_detail"),
    path(
        "processes/<int:pk>/cancel/", instances.ProcessCancelView.as_view(), name="process_cancel"
    ),
    path("processes/stages/<int:pk>/skip/", instances.StageSkipView.as_view(), name="stage_skip"),
    path(
        "processes/stages/<int:pk>/schedule/",
        instances.StageUpdateView.as_view(),
        name="stage_update",
    ),
    path("processes/templates/", templates.TemplateListView.as_view(), name="template_list"),
    path(
        "processes/templates/new/",
        templates.TemplateCreateView.as_view(),
        name="template_create",
    ),
    path(
        "processes/templates/<int:pk>/",
        templates.TemplateDetailView.as_view(),
        name="template_detail",
    ),
    path(
        "processes/templates/<int:pk>/edit/",
        templates.TemplateUpdateView.as_view(),
        name="template_update",
    ),
    path(
        "processes/templates/<int:pk>/stages/new/",
        templates.StageTemplateCreateView.as_view(),
        name="template_stage_create",
    ),
    path(
        "processes/templates/stages/<int:pk>/edit/",
        templates.StageTemplateUpdateView.as_view(),
        name="template_stage_update",
    ),
    path(
        "processes/templates/stages/<int:pk>/move/",
        templates.StageTemplateMoveView.as_view(),
        name="template_stage_move",
    ),
]
