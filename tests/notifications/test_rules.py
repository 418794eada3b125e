"""Who may open a notification (pairup.notifications.rules): who × notification → allowed?"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from pairup.notifications.rules import can_open_notification
from pairup.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("mentee", True),
        ("mentor", False),
        ("admin", False),  # an admin of the addressee's program too
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_a_notification_is_its_addressees_alone(mentee, mentor, admin, outsider, who, allowed):
    n = notify(user=mentee, kind="message", text="New message", url="/asks/")
    people = {"mentee": mentee, "mentor": mentor, "admin": admin, "outsider": outsider}
    user = people.get(who, AnonymousUser())
    assert can_open_notification(user, n) is allowed
