"""Web routes of the sales app (leads and deals are declared in their own modules)."""

from rapport.sales.urls import deals, leads

app_name = "sales"
urlpatterns = [*leads.urlpatterns, *deals.urlpatterns]
