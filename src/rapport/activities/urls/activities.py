"""URLs of the logged-activity screens."""

from django.urls import path

from rapport.activities.views import activities as views

urlpatterns = [
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity_update"),
]
