"""Web routes of the sales app: deals."""

urlpatterns: list = []
