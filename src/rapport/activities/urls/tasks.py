"""URLs of tasks: my tasks, the team's, department queues, a task's page."""

from django.urls import path

from rapport.activities.views import tasks as views

urlpatterns = [
    path("tasks/", views.MyTasksView.as_view(), name="task_list"),
    path("tasks/team/", views.TeamTasksView.as_view(), name="task_team"),
    path("tasks/queue/", views.QueueView.as_view(), name="task_queue"),
    path("tasks/no-next-step/", views.NoNextStepView.as_view(), name="no_next_step"),
    path("tasks/new/", views.TaskFormView.as_view(), name="task_create"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", views.TaskFormView.as_view(), name="task_update"),
    path("tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task_delete"),
    path("tasks/<int:pk>/status/", views.TaskStatusView.as_view(), name="task_status"),
    path("tasks/<int:pk>/take/", views.TaskTakeView.as_view(), name="task_take"),
    path(
        "tasks/<int:pk>/checklist/<int:index>/",
        views.TaskCheckView.as_view(),
        name="task_check",
    ),
]
