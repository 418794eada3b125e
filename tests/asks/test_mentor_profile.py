"""The mentor's profile page in a program (asks/views/programs.py): what members see of a
mentor, and that nobody outside the program sees it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_mentor_profile_page_shows_profile_without_email(client, program, mentee, mentor):
    client.force_login(mentee)
    response = client.get(f"/p/{program.slug}/mentors/{mentor.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Priya Mentor" in html and "Negotiating an offer" in html
    assert mentor.email not in html


def test_outsider_gets_404_for_another_programs_mentor_profile(client, program, outsider, mentor):
    client.force_login(outsider)
    page = client.get(f"/p/{program.slug}/mentors/{mentor.pk}/")
    assert page.status_code == 404 and "Priya" not in page.content.decode()
