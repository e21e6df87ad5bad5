"""URLs of the calendar, meetings and the personal iCalendar feed."""

urlpatterns: list = []
