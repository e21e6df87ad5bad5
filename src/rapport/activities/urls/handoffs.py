"""URLs of hand-offs between departments."""

urlpatterns: list = []
