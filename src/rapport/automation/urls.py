"""Web routes of the automation app (administration)."""

from django.urls import path

from rapport.automation.views import rules

app_name = "automation"

urlpatterns = [
    path("settings/automation/", rules.RuleListView.as_view(), name="rule_list"),
    path("settings/automation/new/", rules.RuleFormView.as_view(), name="rule_create"),
    path("settings/automation/<int:pk>/", rules.RuleFormView.as_view(), name="rule_update"),
    path(
        "settings/automation/<int:pk>/delete/", rules.RuleDeleteView.as_view(), name="rule_delete"
    ),
    path("settings/automation/<int:pk>/runs/", rules.RuleRunsView.as_view(), name="rule_runs"),
    path("settings/automation/<int:pk>/try/", rules.RuleTryView.as_view(), name="rule_try"),
]
