"""URLs of tasks: my tasks, the team's, department queues, a task's page."""

urlpatterns: list = []
