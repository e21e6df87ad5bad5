"""Web routes of the sales app: leads."""

urlpatterns: list = []
