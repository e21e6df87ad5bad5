"""Web routes of the sales app."""

app_name = "sales"
urlpatterns: list = []
