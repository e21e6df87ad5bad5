"""The calendar page and its JSON feed as a user meets them: whose calendar one may open, the
events of a window (meetings and open tasks with a due time), dragging one to another time
(refused moves say why), and the meeting pages (plan from a record, bad input, invite)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.activities.models import Meeting, MeetingParticipant, Task
from rapport.activities.selectors.calendar import local_iso
from rapport.activities.services.meetings import meeting_create
from rapport.activities.services.tasks import task_create

pytestmark = pytest.mark.django_db


def at(hours: float) -> datetime.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def window(hours_from=-24, hours_to=24 * 7) -> str:
    return f"start={local_iso(at(hours_from))}&end={local_iso(at(hours_to))}"


def events(client, query="") -> list[dict]:
    response = client.get(f"/calendar/events/?{window()}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_calendar_page_loads_fullcalendar_from_our_own_files(world):
    client = client_for(world.user("rep"))
    page = client.get("/calendar/").content.decode()
    assert "/static/vendor/fullcalendar/index.global.min.js" in page
    assert "locales/" not in page  # English is built in
    assert 'timeZone: "Europe/Riga"' in page
    assert "//cdn" not in page and "https://" not in page.split("<body")[1]
    assert client.get("/static/vendor/fullcalendar/index.global.min.js").status_code == 200
    from rapport.accounts.models import User

    User.objects.filter(pk=world.user("rep").pk).update(language="lv")
    page = client.get("/calendar/").content.decode()
    assert "/static/vendor/fullcalendar/locales/lv.global.min.js" in page
    assert 'locale: "lv"' in page


def test_my_window_holds_my_meetings_and_open_tasks_with_due_times(world):
    rep, teammate = world.user("rep"), world.user("teammate")
    meeting = meeting_create(
        actor=rep, title="Demo", starts_at=at(3), ends_at=at(4), company=world.companies["own"]
    )
    meeting_create(actor=teammate, title="Team's", starts_at=at(5), ends_at=at(6), users=[rep])
    outsider = world.user("outsider")
    meeting_create(actor=outsider, title="Invited", starts_at=at(6), ends_at=at(7), users=[rep])
    meeting_create(actor=teammate, title="Not with me", starts_at=at(5), ends_at=at(6))
    meeting_create(actor=rep, title="Next month", starts_at=at(24 * 30), ends_at=at(24 * 30 + 1))
    task = task_create(actor=rep, title="Call back", assignee=rep, due_at=at(8))
    done = task_create(actor=rep, title="Done already", assignee=rep, due_at=at(9))
    Task.objects.filter(pk=done.pk).update(status="done")
    task_create(actor=rep, title="No due time", assignee=rep)

    found = {e["title"]: e for e in events(client_for(rep))}
    assert set(found) == {"Demo", "Team's", "Invited", "Call back"}
    demo = found["Demo"]
    assert demo["start"] == local_iso(meeting.starts_at) and demo["end"] == local_iso(at(4))
    assert demo["url"] == f"/meetings/{meeting.pk}/" and demo["editable"] is True
    assert demo["extendedProps"]["moveUrl"] == f"/meetings/{meeting.pk}/move/"
    assert found["Team's"]["editable"] is True  # the organizer's team changes it
    assert found["Invited"]["editable"] is False  # taking part is not organizing
    call = found["Call back"]
    assert call["id"] == f"task-{task.pk}" and call["extendedProps"]["type"] == "task"
    assert call["color"] != demo["color"] and call["durationEditable"] is False
    assert call["extendedProps"]["moveUrl"] == f"/calendar/tasks/{task.pk}/move/"


def test_a_colleagues_and_a_teams_calendar(world):
    rep, teammate, head = world.user("rep"), world.user("teammate"), world.user("head")
    meeting_create(actor=teammate, title="Teammate's", starts_at=at(3), ends_at=at(4))
    meeting_create(actor=world.user("outsider"), title="Outsider's", starts_at=at(3), ends_at=at(4))
    # A rep opens a teammate's calendar, not another team's.
    assert [e["title"] for e in events(client_for(rep), f"&user={teammate.pk}")] == ["Teammate's"]
    outsider = world.user("outsider").pk
    response = client_for(rep).get(f"/calendar/events/?{window()}&user={outsider}")
    assert response.status_code == 404
    assert client_for(rep).get(f"/calendar/?user={outsider}").status_code == 404
    assert client_for(rep).get(f"/calendar/?team={world.teams['a'].pk}").status_code == 404
    # A head picks a team of the department.
    team_a = world.teams["a"].pk
    assert [e["title"] for e in events(client_for(head), f"&team={team_a}")] == ["Teammate's"]
    page = client_for(head).get(f"/calendar/?team={team_a}").content.decode()
    assert "team Team A" in page
    assert client_for(head).get(f"/calendar/?team={world.teams['b'].pk}").status_code == 404
    # A director opens anyone's.
    titles = events(client_for(world.user("director")), f"&user={outsider}")
    assert [e["title"] for e in titles] == ["Outsider's"]


def test_a_nonsense_window_is_a_clear_error(world):
    client = client_for(world.user("rep"))
    response = client.get("/calendar/events/?start=yesterday&end=2026-01-01")
    assert response.status_code == 400 and "valid date" in response.json()["error"]
    response = client.get("/calendar/events/?start=2026-01-01&end=2026-12-01")
    assert "at most 100 days" in response.json()["error"]


def test_drag_a_meeting_and_a_task_to_another_time(world):
    rep = world.user("rep")
    meeting = meeting_create(actor=rep, title="Demo", starts_at=at(3), ends_at=at(4))
    task = task_create(actor=rep, title="Call back", assignee=rep, due_at=at(8), remind_at=at(7))
    client = client_for(rep)
    response = client.post(
        f"/meetings/{meeting.pk}/move/", {"start": local_iso(at(27)), "end": local_iso(at(29))}
    )
    assert response.status_code == 200 and response.json()["ok"] is True
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.sequence) == (at(27), at(29), 1)
    response = client.post(f"/calendar/tasks/{task.pk}/move/", {"start": local_iso(at(30))})
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.due_at, task.remind_at) == (at(30), at(29))

    # Nonsense is refused with the reason, nothing moves.
    response = client.post(
        f"/meetings/{meeting.pk}/move/", {"start": local_iso(at(40)), "end": local_iso(at(39))}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The meeting must end after it starts."}
    response = client.post(f"/meetings/{meeting.pk}/move/", {"start": "31.02.2026 25:99"})
    assert response.json() == {"error": "Enter a valid date and time."}
    response = client.post(f"/calendar/tasks/{task.pk}/move/", {"start": local_iso(at(-5))})
    assert response.status_code == 400
    assert "in the past" in response.json()["error"]
    meeting.refresh_from_db()
    task.refresh_from_db()
    assert (meeting.starts_at, task.due_at) == (at(27), at(30))

    # Someone outside the organizer's side cannot move it (as if it did not exist).
    response = client_for(world.user("outsider")).post(
        f"/meetings/{meeting.pk}/move/", {"start": local_iso(at(50))}
    )
    assert response.status_code == 404
    # Without the CSRF token the browser's request is refused.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(rep)
    response = strict.post(f"/meetings/{meeting.pk}/move/", {"start": local_iso(at(50))})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).starts_at == at(27)


def test_the_window_reads_one_query_per_kind(world):
    rep = world.user("rep")
    client = client_for(rep)
    events(client)  # warm up the session and the content types
    for i in range(3):
        meeting_create(actor=rep, title=f"M{i}", starts_at=at(3 + i), ends_at=at(4 + i))
        task_create(actor=rep, title=f"T{i}", assignee=rep, due_at=at(10 + i))
    with CaptureQueriesContext(connection) as few:
        assert len(events(client)) == 6
    for i in range(10):
        meeting_create(
            actor=rep, title=f"More{i}", starts_at=at(30 + i), ends_at=at(31 + i), users=[rep]
        )
        task_create(actor=rep, title=f"More{i}", assignee=rep, due_at=at(40 + i))
    with CaptureQueriesContext(connection) as many:
        assert len(events(client)) == 26
    assert len(many.captured_queries) == len(few.captured_queries)
    business = [q["sql"] for q in many.captured_queries if "activities_" in q["sql"]]
    assert len(business) == 2, business


def test_plan_a_meeting_from_a_record_and_fix_bad_input(world):
    rep = world.user("rep")
    client = client_for(rep)
    person = world.people["own"]
    form = client.get(f"/meetings/new/?record=contacts.person:{person.pk}&start=2030-05-06T10:00")
    page = form.content.decode()
    assert form.status_code == 200 and "Ownfirst Ownlast" in page
    assert 'value="2030-05-06T10:00"' in page
    data = {
        "kind": "meeting",
        "title": "Kick-off",
        "starts_at": "2030-05-06T10:00",
        "ends_at": "2030-05-06T09:00",
        "people": [person.pk],
        "users": [world.user("teammate").pk],
        "reminder": "30",
        "place": "Office",
    }
    response = client.post(f"/meetings/new/?record=contacts.person:{person.pk}", data)
    assert response.status_code == 422
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()
    # A person one may not see is not offered and not accepted.
    bad = {**data, "ends_at": "2030-05-06T11:00", "people": [world.people["foreign"].pk]}
    response = client.post("/meetings/new/", bad)
    assert response.status_code == 422 and not Meeting.objects.exists()
    assert "one of them is not available" in response.content.decode()
    response = client.post(
        f"/meetings/new/?record=contacts.person:{person.pk}",
        {**data, "ends_at": "2030-05-06T11:00"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.person == person and meeting.content_type.model == "person"
    assert meeting.remind_at == meeting.starts_at - datetime.timedelta(minutes=30)
    assert MeetingParticipant.objects.filter(meeting=meeting).count() == 2
    # A record one may not see: 404.
    foreign = world.people["foreign"].pk
    assert client.get(f"/meetings/new/?record=contacts.person:{foreign}").status_code == 404
    assert client.get("/meetings/new/?record=nonsense:1").status_code == 404

    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Kick-off" in detail and "Send invitations" in detail and "Mark as held" in detail
    edit = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'value="Kick-off"' in edit and '<option value="30" selected>' in edit


def test_invite_from_the_meeting_page_explains_a_refusal(world):
    from rapport.contacts.services import consent_set

    rep = world.user("rep")
    person = world.people["own"]
    meeting = meeting_create(
        actor=rep, title="Demo", starts_at=at(3), ends_at=at(4), people=[person]
    )
    consent_set(actor=rep, person=person, channel="email", is_granted=False, method="other")
    client = client_for(rep)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "no e-mail consent" in page
    response = client.post(f"/meetings/{meeting.pk}/invite/", {"people": [person.pk]}, follow=True)
    assert "Ownfirst Ownlast has withdrawn consent to e-mails." in response.content.decode()
    assert MeetingParticipant.objects.get(person=person).invited_at is None


def test_meeting_ics_download(world):
    rep = world.user("rep")
    meeting = meeting_create(actor=rep, title="Demo", starts_at=at(3), ends_at=at(4))
    response = client_for(rep).get(f"/meetings/{meeting.pk}/ics/")
    assert response.status_code == 200 and b"METHOD:PUBLISH" in response.content
    assert client_for(world.user("outsider")).get(f"/meetings/{meeting.pk}/ics/").status_code == 404
