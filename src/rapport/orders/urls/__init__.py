"""Web routes of the documents app (proposals and the rest of the chain in their own modules)."""

from rapport.orders.urls import documents, proposals

app_name = "orders"
urlpatterns = [*proposals.urlpatterns, *documents.urlpatterns]
