"""Web routes of proposals."""

urlpatterns: list = []
