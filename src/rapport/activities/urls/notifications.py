"""URLs of the notification centre (the bell in the top bar and its page)."""

from django.urls import path

from rapport.activities.views import notifications as views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/badge/", views.NotificationBadgeView.as_view(), name="notification_badge"),
    path("notifications/menu/", views.NotificationMenuView.as_view(), name="notification_menu"),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/open/",
        views.NotificationOpenView.as_view(),
        name="notification_open",
    ),
]
