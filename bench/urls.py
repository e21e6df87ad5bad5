"""The application's URLs plus the bare DRF view the API benchmark compares against."""

from django.urls import path

from bench.bare import BarePersonList
from rapport.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/bare/people/", BarePersonList.as_view()), *app_urlpatterns]
