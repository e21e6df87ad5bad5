"""Web routes of the activities app, one module per part."""

from rapport.activities.urls import activities, calendar, handoffs, notifications, tasks

app_name = "activities"
urlpatterns = [
    *activities.urlpatterns,
    *tasks.urlpatterns,
    *calendar.urlpatterns,
    *handoffs.urlpatterns,
    *notifications.urlpatterns,
]
