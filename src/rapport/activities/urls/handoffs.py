"""URLs of hand-offs between departments."""

from django.urls import path

from rapport.activities.views import handoffs as views

urlpatterns = [
    path("handoffs/", views.HandoffListView.as_view(), name="handoff_list"),
    path("handoffs/new/", views.HandoffCreateView.as_view(), name="handoff_create"),
    path("handoffs/<int:pk>/", views.HandoffDetailView.as_view(), name="handoff_detail"),
    path(
        "handoffs/<int:pk>/acknowledge/",
        views.HandoffAcknowledgeView.as_view(),
        name="handoff_acknowledge",
    ),
    path("handoffs/<int:pk>/return/", views.HandoffReturnView.as_view(), name="handoff_return"),
]
