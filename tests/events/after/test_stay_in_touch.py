"""Stay in touch: contact details go both ways only when both said yes; before that
neither sees anything of the other's, and a yes may be taken back."""

from __future__ import annotations

import pytest

from pairup.core.errors import Conflict, NotFound
from pairup.events.after import services
from pairup.events.models import StayInTouch
from pairup.notifications.models import Notification

pytestmark = pytest.mark.django_db


def page(client, user, event) -> str:
    client.force_login(user)
    response = client.get(f"/events/{event.slug}/met/")
    assert response.status_code == 200
    return response.content.decode()


def test_no_contact_is_shown_until_both_said_yes(
    speed, mentee, mentor, client, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    seat = speed.seat(0, speed.mentor)
    assert (
        services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentee, yes=True) is False
    )
    # One yes: neither page shows the other's address, and Priya is told nothing.
    assert mentor.email not in page(client, mentee, speed.event)
    assert mentee.email not in page(client, mentor, speed.event)
    assert not Notification.objects.filter(kind="stay_in_touch").exists()
    with django_capture_on_commit_callbacks(execute=True):
        mutual = services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentor, yes=True)
    assert mutual is True
    assert f"mailto:{mentor.email}" in page(client, mentee, speed.event)
    assert f"mailto:{mentee.email}" in page(client, mentor, speed.event)
    # Priya is an approved mentor: her profile is part of what Sam gets.
    assert f"/p/{speed.event.program.slug}/mentors/{mentor.pk}/" in page(
        client, mentee, speed.event
    )
    assert sorted(
        Notification.objects.filter(kind="stay_in_touch").values_list("user_id", flat=True)
    ) == sorted([mentee.pk, mentor.pk])
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentee.email, mentor.email])


def test_a_yes_is_taken_back_before_it_is_mutual_but_not_after(speed, mentee, mentor) -> None:
    seat = speed.seat(0, speed.mentor)
    services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentee, yes=True)
    services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentee, yes=False)
    assert not StayInTouch.objects.exists()
    services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentee, yes=True)
    services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentor, yes=True)
    with pytest.raises(Conflict) as refused:
        services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentee, yes=False)
    assert refused.value.code == "already_mutual"
    assert StayInTouch.objects.count() == 2


def test_only_someone_met_can_be_asked_to_stay_in_touch(speed, mentor) -> None:
    # Priya never sat with... everyone sat with her; Mo's seat with Kim is not hers.
    seat = speed.seat(0, speed.mentor2)
    with pytest.raises(NotFound):
        services.stay_in_touch_set(event=speed.event, seat_id=seat.pk, by=mentor, yes=True)


def test_the_page_toggles_and_another_program_sees_nothing(speed, mentee, outsider, client) -> None:
    seat = speed.seat(0, speed.mentor)
    client.force_login(mentee)
    url = f"/events/{speed.event.slug}/met/{seat.pk}/stay-in-touch/"
    answer = client.post(url, {"yes": "1"}, HTTP_HX_REQUEST="true")
    assert b"You said yes" in answer.content
    assert StayInTouch.objects.filter(person=mentee).exists()
    client.force_login(outsider)
    assert client.post(url, {"yes": "1"}).status_code == 404
    assert client.get(f"/events/{speed.event.slug}/met/").status_code == 404
