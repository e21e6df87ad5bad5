"""Web routes of the analytics app."""

app_name = "analytics"
urlpatterns: list = []
