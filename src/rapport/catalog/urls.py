"""Web routes of the catalog app."""

app_name = "catalog"
urlpatterns: list = []
