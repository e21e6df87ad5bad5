"""URLs of the customer base screens."""

from django.urls import path

from rapport.contacts.views import companies, people, transfer

app_name = "contacts"


def record_urls(prefix: str, noun: str, module) -> list:
    cls = noun.capitalize()
    view = lambda name: getattr(module, f"{cls}{name}View").as_view()  # noqa: E731
    return [
        path(f"{prefix}/", view("List"), name=f"{noun}_list"),
        path(f"{prefix}/new/", view("Form"), name=f"{noun}_create"),
        path(f"{prefix}/duplicates/", view("Duplicates"), name=f"{noun}_duplicates"),
        path(f"{prefix}/autocomplete/", view("Autocomplete"), name=f"{noun}_autocomplete"),
        path(f"{prefix}/bulk/", view("Bulk"), name=f"{noun}_bulk"),
        path(f"{prefix}/saved-filters/", view("SavedFilter"), name=f"{noun}_saved_filter"),
        path(
            f"{prefix}/export/", transfer.ExportStartView.as_view(noun=noun), name=f"{noun}_export"
        ),
        path(f"{prefix}/<int:pk>/", view("Detail"), name=f"{noun}_detail"),
        path(f"{prefix}/<int:pk>/edit/", view("Form"), name=f"{noun}_update"),
        path(f"{prefix}/<int:pk>/delete/", view("Delete"), name=f"{noun}_delete"),
        path(f"{prefix}/<int:pk>/verify/", view("Verify"), name=f"{noun}_verify"),
        path(f"{prefix}/<int:pk>/merge/", view("Merge"), name=f"{noun}_merge"),
        path(f"{prefix}/<int:pk>/timeline/", view("Timeline"), name=f"{noun}_timeline"),
        path(f"{prefix}/<int:pk>/history/", view("History"), name=f"{noun}_history"),
    ]


urlpatterns = [
    *record_urls("companies", "company", companies),
    *record_urls("people", "person", people),
    path("people/<int:pk>/consent/", people.PersonConsentView.as_view(), name="person_consent"),
    path(
        "people/<int:pk>/companies/",
        people.PersonEmploymentView.as_view(),
        name="person_employment",
    ),
    path(
        "people/<int:pk>/companies/<int:employment_pk>/remove/",
        people.PersonEmploymentRemoveView.as_view(),
        name="person_employment_remove",
    ),
    path("people/<int:pk>/vcard/", transfer.PersonVCardView.as_view(), name="person_vcard"),
    path("imports/new/", transfer.ImportUploadView.as_view(), name="import_upload"),
    path("jobs/<int:pk>/", transfer.JobView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/download/", transfer.JobDownloadView.as_view(), name="job_download"),
]
