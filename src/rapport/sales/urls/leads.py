"""Web routes of the sales app: leads, the public lead form, intake administration."""

from django.urls import path

from rapport.sales.views import leads, webform

urlpatterns = [
    path("leads/", leads.LeadListView.as_view(), name="lead_list"),
    path("leads/queue/", leads.LeadQueueView.as_view(), name="lead_queue"),
    path("leads/new/", leads.LeadFormView.as_view(), name="lead_create"),
    path("leads/import/", leads.LeadImportView.as_view(), name="lead_import"),
    path("leads/import/<int:pk>/", leads.LeadImportJobView.as_view(), name="lead_import_job"),
    path("leads/<int:pk>/", leads.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.LeadFormView.as_view(), name="lead_update"),
    path("leads/<int:pk>/delete/", leads.LeadDeleteView.as_view(), name="lead_delete"),
    path("leads/<int:pk>/status/", leads.LeadStatusView.as_view(), name="lead_status"),
    path("leads/<int:pk>/disqualify/", leads.LeadDisqualifyView.as_view(), name="lead_disqualify"),
    path("leads/<int:pk>/convert/", leads.LeadConvertView.as_view(), name="lead_convert"),
    path("leads/<int:pk>/assign/", leads.LeadAssignView.as_view(), name="lead_assign"),
    path("f/<slug:key>/", webform.public_form_view, name="webform"),
    path("settings/lead-forms/", leads.WebFormAdminView.as_view(), name="webform_admin"),
    path(
        "settings/lead-forms/<int:pk>/",
        leads.WebFormAdminView.as_view(),
        name="webform_admin_update",
    ),
    path(
        "settings/lead-distribution/",
        leads.DistributionRuleAdminView.as_view(),
        name="distribution_rules",
    ),
    path(
        "settings/lead-distribution/<int:pk>/",
        leads.DistributionRuleAdminView.as_view(),
        name="distribution_rule_update",
    ),
]
