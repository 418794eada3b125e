"""Who may reach what: every route of the URL conf and every operation of the OpenAPI schema,
as each persona, against the table below.

The routes are discovered, not listed: a route (web or API) with no entry in the table fails
`test_every_route_has_an_expected_outcome`, so nothing new ships without someone deciding
who may see it. Path parameters name objects of the mentee's program (the mentee's ask,
invitation, engagement, session ...), so the outsider, a member of another program only,
must get 404 everywhere they appear.

Personas: anonymous, the mentee, the mentor of the mentee's engagement, the program's admin,
the outsider, and staff (Django's is_staff, a member of no program).

Outcomes: a status code, or LOGIN for a redirect to the sign-in page, or REDIRECT for any
other redirect. Web routes are read with GET by everyone and posted to (empty form) by
anonymous and the outsider; API operations are read with GET by everyone, and the unsafe
ones are sent (with a valid body, so that the refusal is about access) by anonymous and
the outsider.
"""

from __future__ import annotations

import os
import pprint
import re
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from pairup.accounts.models import ApiToken
from pairup.accounts.services import api_token_create
from pairup.asks import services as ask_services
from pairup.asks.services import cohort as cohort_services
from pairup.availability import queries as availability_queries
from pairup.availability import services as availability_services
from pairup.events import services_schedule as schedule_services
from pairup.events import setup as event_setup
from pairup.events.registrations import registration_create
from pairup.notifications.models import Notification
from pairup.notifications.services import unsubscribe_token
from pairup.programs.identity import identity_field_create
from pairup.programs.member_services import member_invite
from pairup.programs.models import ApplicationQuestion, Membership, new_invitation_token
from pairup.programs.pools import match_rule_create, pool_create, pool_members_add
from pairup.programs.roster_services import roster_upload_create
from pairup.sessions import services as sessions_services
from pairup.site.api import api as ninja_api
from tests.factories import UserFactory

PERSONAS = ("anonymous", "mentee", "mentor", "admin", "outsider", "staff")
LOGIN = "login"
REDIRECT = "redirect"

# Third-party route trees, tested upstream: Django's admin and allauth's sign-in pages.
SKIPPED_PREFIXES = ("admin/", "accounts/")
API_PREFIX = "api/v1/"

# ---------------------------------------------------------------------------- the table

# Web route: (GET as each of PERSONAS, POST as (anonymous, outsider)).
# Tokens in a path (join code, unsubscribe link, calendar feed) are the credential
# themselves: whoever holds one may use it. A mentee's ask opened by its mentor redirects to
# the invitation; a 405 on GET is a POST-only action (and 405 before the access check tells
# nothing). The slot picker is the mentee's: the mentor gets 404 ("nothing to book here").
WEB: dict[str, tuple[tuple[Any, ...], tuple[Any, Any]]] = {
    "": ((200, 200, 200, 200, 200, 200), (200, 200)),
    "welcome/": ((LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT), (LOGIN, REDIRECT)),
    "welcome/<slug:step>/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 422)),
    # Public: a redirect to the static SVG icon for everyone; read-only.
    "favicon.ico": ((REDIRECT,) * 6, (405, 405)),
    "profile/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "profile/photo/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 422)),
    "account/delete/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "account/tokens/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "account/tokens/<int:token_id>/revoke/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "programs/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    # An invite link welcomes someone without an account (sign up, then join).
    "join/<str:code>/": ((200, 200, 200, 200, 200, 200), (LOGIN, 200)),
    # Only open programs can be joined without an invite; Acme is not open.
    "p/<slug:slug>/join/": ((LOGIN, 404, 404, 404, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/offer-to-mentor/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/mentors/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/mentors/<int:user_id>/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/members/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/members/invite/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/members/<int:membership_id>/status/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # Issue 13, members: the admins' pages; a personal invitation link is its own credential
    # but only for the address it went to (none of the personas here: 403 once signed in).
    "p/<slug:slug>/members/<int:membership_id>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/members/<int:membership_id>/remove/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # Issue 13, offboarding and removal with hand-overs (asks): the program's admins only.
    "p/<slug:slug>/members/<int:membership_id>/offboard/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/members/<int:membership_id>/removal/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/members/export.csv": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/members/invitations/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/members/invitations/<int:invitation_id>/<str:action>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "invite/<str:token>/": ((200, 403, 403, 403, 403, 403), (LOGIN, 403)),
    # Mentor vetting: the queue, questions and onboarding note are the admins'; the
    # onboarding is read by mentors too; an application by its applicant (the mentor here,
    # approved, reads theirs; nobody else has one).
    "p/<slug:slug>/mentors/queue/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/mentors/queue/<int:membership_id>/<str:action>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/mentors/questions/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/mentors/questions/<int:question_id>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/mentors/onboarding/": ((LOGIN, 404, 200, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/mentors/onboarding/edit/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/mentor-application/": ((LOGIN, 404, 200, 404, 404, 404), (LOGIN, 404)),
    # Roster import: the upload's page is its uploader's (the admin) alone.
    "p/<slug:slug>/import/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/import/<slug:token>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/import/<slug:token>/commit/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # Pools and match rules: the program's admins only; a member chooses their own pools.
    "p/<slug:slug>/pools/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/pools/rules/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/pools/rules/<int:rule_id>/delete/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/pools/members/<int:membership_id>/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/pools/<int:pool_id>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/pools/<int:pool_id>/delete/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/pools/<int:pool_id>/members/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/pools/<int:pool_id>/members/<int:membership_id>/remove/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/my-pools/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "notifications/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, REDIRECT)),
    "notifications/email/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, REDIRECT)),
    "notifications/<int:pk>/open/": ((LOGIN, REDIRECT, 404, 404, 404, 404), (LOGIN, 404)),
    "notifications/unsubscribe/<str:token>/": ((200, 200, 200, 200, 200, 200), (200, 200)),
    "asks/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "mentor/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "board/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "conduct/": ((200, 200, 200, 200, 200, 200), (200, 200)),
    "p/<slug:slug>/asks/new/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    # The topics suggested from a question as it is typed: for the program's members.
    "p/<slug:slug>/asks/new/topics/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 405)),
    "p/<slug:slug>/asks/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    # Issue 15, insights: the program's admins only, the dashboard and each figure's CSV.
    "p/<slug:slug>/insights/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/insights/<slug:name>.csv": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    # The monthly report page and its PDF (h-alerts).
    "p/<slug:slug>/insights/report/<str:month>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/insights/report/<str:month>.pdf": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    # Issue 15, the DEI lens: the questions and the aggregates are the admins' (the matching
    # switch is POST only: a GET goes back to the questions); every member answers for
    # themself on "About you".
    "p/<slug:slug>/insights/dei/<int:field_id>.csv": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/settings/identity/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/settings/identity/matching/": (
        (LOGIN, 404, 404, REDIRECT, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/settings/identity/<int:field_id>/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/about-you/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/reports/<int:pk>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "asks/<int:pk>/": ((LOGIN, 200, REDIRECT, 404, 404, 404), (LOGIN, 404)),
    "asks/<int:pk>/edit/": ((LOGIN, 200, 404, 404, 404, 404), (LOGIN, 404)),
    "asks/<int:pk>/<str:action>/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "invitations/<int:pk>/": ((LOGIN, REDIRECT, 200, 404, 404, 404), (LOGIN, 404)),
    "invitations/<int:pk>/<str:action>/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "engagements/<int:pk>/": ((LOGIN, 200, 200, 404, 404, 404), (LOGIN, 404)),
    "engagements/<int:pk>/report/": ((LOGIN, 200, 200, 404, 404, 404), (LOGIN, 404)),
    "engagements/<int:pk>/<str:action>/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "thanks/<int:pk>/profile/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "calendar/<str:token>.ics": ((200, 200, 200, 200, 200, 200), (405, 405)),
    "availability/": ((LOGIN, 404, 200, 404, 404, 404), (LOGIN, 404)),
    "my-calendar/": ((LOGIN, 200, 200, 200, 200, 200), (LOGIN, 200)),
    "availability/feed/rotate/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, REDIRECT)),
    "engagements/<int:pk>/sessions/slots/": ((LOGIN, 200, 404, 404, 404, 404), (LOGIN, 405)),
    "engagements/<int:pk>/sessions/book/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "sessions/<int:pk>/": ((LOGIN, 200, 200, 404, 404, 404), (LOGIN, 405)),
    "sessions/<int:pk>/<str:action>/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    # Cohort matching: the program's admins only; the POST-only actions are 405 on GET.
    "p/<slug:slug>/matching/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/matching/start/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/matching/rounds/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/matching/by-hand/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/matching/runs/<int:run_id>/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/matching/runs/<int:run_id>/progress/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/matching/runs/<int:run_id>/rerun/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/matching/runs/<int:run_id>/publish/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/matching/runs/<int:run_id>/scores.csv": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/matching/runs/<int:run_id>/asks/<int:ask_id>/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "p/<slug:slug>/matching/runs/<int:run_id>/asks/<int:ask_id>/keep/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "api/v1/openapi.json": ((200, 200, 200, 200, 200, 200), (200, 200)),
    "api/v1/docs": ((200, 200, 200, 200, 200, 200), (200, 200)),
    "api/v1/": ((404, 404, 404, 404, 404, 404), (404, 404)),
    # Uploaded photos, served by Django in development only (SERVE_MEDIA); random names.
    "media/<path:path>": ((404, 404, 404, 404, 404, 404), (404, 404)),
    # Starting a program: site staff only (self-service programs are off by default).
    "programs/new/": ((LOGIN, 404, 404, 404, 404, 200), (LOGIN, 404)),
    "p/<slug:slug>/settings/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "p/<slug:slug>/settings/topics/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "p/<slug:slug>/settings/topics/<slug:topic>/remove/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # Read only: a POST is 405 for everyone signed in.
    "p/<slug:slug>/audit/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 405)),
    # Issue 14, after the event (the world's ended event "acme", where the mentee met the
    # mentor): the people met are each participant's own (the admin, who met nobody, gets
    # an empty page); a conversation is its two people's; the summary is the organisers'.
    # "acme" is no buddy event: its buddy pages are 404 for all, a thread of another event
    # included.
    "events/<slug:slug>/met/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/met/<int:seat_id>/rate/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/met/<int:seat_id>/stay-in-touch/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # The world's event is published, not yet held: nobody has met, so no follow-up yet
    # (tests/events/after follow up after a held one).
    "events/<slug:slug>/met/<int:seat_id>/follow-up/": (
        (LOGIN, 404, 404, 404, 404, 404),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/summary/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/buddies/": ((LOGIN, 404, 404, 404, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/buddies/<int:thread_id>/": (
        (LOGIN, 404, 404, 404, 404, 404),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/buddies/<str:action>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    # Events (issue 14, set-up): the world's event is published, for members, named like
    # the program ("acme"); the mentee registered for it. Its public page and .ics are for
    # anyone (no personal data); registering is the members' (the mentee and the mentor
    # are sent back to the page: registered already; the outsider and staff: it is for members); the rest
    # is its organisers' (the admin).
    "p/<slug:program_slug>/events/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 405)),
    "p/<slug:program_slug>/events/new/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/": ((200, 200, 200, 200, 200, 200), (405, 405)),
    "events/<slug:slug>/event.ics": ((200, 200, 200, 200, 200, 200), (405, 405)),
    "events/<slug:slug>/register/": (
        (LOGIN, REDIRECT, REDIRECT, 200, REDIRECT, REDIRECT),
        (LOGIN, REDIRECT),
    ),
    "events/<slug:slug>/register/cancel/": ((405, 405, 405, 405, 405, 405), (LOGIN, REDIRECT)),
    "events/<slug:slug>/edit/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/publish/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "events/<slug:slug>/cancel/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/organisers/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/manage/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 405)),
    "events/<slug:slug>/manage/registrations/<int:registration_id>/cancel/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/invite/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    # Event schedules: the organisers' pages (the program's admin here); each participant's
    # own agenda (the admin, not registered, is told so; the .ics is 404 without an agenda).
    "events/<slug:slug>/schedule/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/schedule/solve/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "events/<slug:slug>/schedule/publish/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "events/<slug:slug>/schedule/round/<int:round>/mentee/<int:mentee>/": (
        (LOGIN, 404, 404, 200, 404, 404),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/schedule/cards/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/schedule.csv": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/agenda/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/agenda.ics": ((LOGIN, 200, 200, 404, 404, 404), (LOGIN, 404)),
    # Issue 14, the live room: the room and its state are for the event's organisers (the
    # admin) and registered people (the mentee and the mentor of the world's event); the
    # controls for organisers; the state answers 404, not a sign-in redirect, to anyone else
    # (a phone's script polls it).
    "events/<slug:slug>/live/": ((LOGIN, 200, 200, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/live/me/": ((LOGIN, 200, 200, REDIRECT, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/live/state.json": ((404, 200, 200, 200, 404, 404), (405, 405)),
    "events/<slug:slug>/live/control/": ((LOGIN, 404, 404, 200, 404, 404), (LOGIN, 404)),
    "events/<slug:slug>/live/control/<slug:action>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
    "events/<slug:slug>/live/checkin/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "events/<slug:slug>/live/absent-rest/": ((LOGIN, 405, 405, 405, 405, 405), (LOGIN, 404)),
    "events/<slug:slug>/live/registrations/<int:registration_id>/<slug:mark>/": (
        (LOGIN, 405, 405, 405, 405, 405),
        (LOGIN, 404),
    ),
}

# API operation "METHOD /path": GET as each of PERSONAS; unsafe as (anonymous, outsider).
# The outsider's unsafe calls without a path parameter act on their own things (200), or
# name the mentee's program in the body (404).
API: dict[str, tuple[Any, ...]] = {
    "GET /auth/tokens": (401, 200, 200, 200, 200, 200),
    "GET /me": (401, 200, 200, 200, 200, 200),
    "GET /me/profile": (401, 200, 200, 200, 200, 200),
    "GET /topics": (401, 200, 200, 200, 200, 200),
    "GET /programs": (401, 200, 200, 200, 200, 200),
    "GET /programs/{slug}/mentors": (401, 200, 200, 200, 404, 404),
    "GET /programs/{slug}/pools": (401, 200, 200, 200, 404, 404),
    "GET /programs/{slug}/pools/{pool_id}": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/pools/{pool_id}/members": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/rules": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/members/{user_id}/matching": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/my-pools": (401, 200, 200, 200, 404, 404),
    "GET /asks": (401, 200, 200, 200, 200, 200),
    "GET /board": (401, 200, 200, 200, 200, 200),
    "GET /asks/{ask_id}": (401, 200, 200, 404, 404, 404),
    "GET /asks/{ask_id}/suggestions": (401, 200, 404, 404, 404, 404),
    "GET /engagements": (401, 200, 200, 200, 200, 200),
    "GET /engagements/{engagement_id}": (401, 200, 200, 404, 404, 404),
    "GET /engagements/{engagement_id}/messages": (401, 200, 200, 404, 404, 404),
    "GET /programs/{slug}/engagements": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/members": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/members.csv": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/members/{member_id}/handover": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/insights": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/insights/alerts": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/insights/dei": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/invitations": (401, 404, 404, 200, 404, 404),
    "GET /invitations": (401, 200, 200, 200, 200, 200),
    "GET /invitations/{invitation_id}": (401, 200, 200, 404, 404, 404),
    "GET /me/availability": (401, 404, 200, 404, 404, 404),
    "GET /mentors/{mentor_id}/slots": (401, 200, 200, 200, 404, 404),
    "GET /me/sessions": (401, 200, 200, 200, 200, 200),
    "GET /sessions/{session_id}.ics": (401, 200, 200, 404, 404, 404),
    "GET /me/calendar-feed": (401, 200, 200, 200, 200, 200),
    "POST /auth/token": (422, 422),
    "DELETE /auth/tokens/{token_id}": (401, 404),
    "PATCH /me/profile": (401, 200),
    "POST /asks": (401, 404),
    "PATCH /asks/{ask_id}": (401, 404),
    "POST /asks/{ask_id}/submit": (401, 404),
    "POST /asks/{ask_id}/withdraw": (401, 404),
    "POST /asks/{ask_id}/board": (401, 404),
    "POST /asks/{ask_id}/unboard": (401, 404),
    "POST /asks/{ask_id}/offer": (401, 404),
    "POST /asks/{ask_id}/invitations": (401, 404),
    "POST /engagements/{engagement_id}/messages": (401, 404),
    "POST /engagements/{engagement_id}/resources": (401, 404),
    "POST /engagements/{engagement_id}/close": (401, 404),
    "POST /engagements/{engagement_id}/feedback": (401, 404),
    "POST /engagements/{engagement_id}/thanks": (401, 404),
    "POST /engagements/{engagement_id}/contact": (401, 404),
    "POST /engagements/{engagement_id}/report": (401, 404),
    "POST /engagements/{engagement_id}/block": (401, 404),
    "POST /invitations/{invitation_id}/accept": (401, 404),
    "POST /invitations/{invitation_id}/decline": (401, 404),
    "POST /invitations/{invitation_id}/clarify": (401, 404),
    "POST /invitations/{invitation_id}/answer": (401, 404),
    "POST /invitations/{invitation_id}/withdraw": (401, 404),
    "PUT /me/availability": (401, 200),
    "POST /engagements/{engagement_id}/sessions": (401, 404),
    "POST /sessions/{session_id}/reschedule": (401, 404),
    "POST /sessions/{session_id}/cancel": (401, 404),
    "POST /sessions/{session_id}/outcome": (401, 404),
    "POST /sessions/{session_id}/feedback": (401, 404),
    "POST /me/calendar-feed/rotate": (401, 200),
    "PATCH /programs/{slug}/members/{member_id}": (401, 404),
    "DELETE /programs/{slug}/members/{member_id}": (401, 404),
    "POST /programs/{slug}/members/{member_id}/offboarding": (401, 404),
    "POST /programs/{slug}/members/{member_id}/removal": (401, 404),
    "POST /programs/{slug}/invitations": (401, 404),
    "POST /programs/{slug}/invitations/bulk": (401, 404),
    "POST /programs/{slug}/invitations/{invitation_id}/resend": (401, 404),
    "POST /programs/{slug}/invitations/{invitation_id}/revoke": (401, 404),
    "GET /programs/{slug}/application-questions": (401, 200, 200, 200, 404, 404),
    "POST /programs/{slug}/application-questions": (401, 404),
    "PATCH /programs/{slug}/application-questions/{question_id}": (401, 404),
    "DELETE /programs/{slug}/application-questions/{question_id}": (401, 404),
    "GET /programs/{slug}/mentor-application": (401, 404, 200, 404, 404, 404),
    "PUT /programs/{slug}/mentor-application": (401, 404),
    "GET /programs/{slug}/mentor-queue": (401, 404, 404, 200, 404, 404),
    "POST /programs/{slug}/mentor-queue/{user_id}/approve": (401, 404),
    "POST /programs/{slug}/mentor-queue/{user_id}/decline": (401, 404),
    "POST /programs/{slug}/mentor-queue/{user_id}/ask-more": (401, 404),
    "GET /programs/{slug}/mentor-onboarding": (401, 404, 200, 200, 404, 404),
    "PUT /programs/{slug}/mentor-onboarding": (401, 404),
    "POST /programs/{slug}/mentor-onboarding/acknowledge": (401, 404),
    "GET /program-templates": (401, 200, 200, 200, 200, 200),
    "GET /programs/{slug}/settings": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/audit": (401, 404, 404, 200, 404, 404),
    "POST /programs": (401, 403),
    "PATCH /programs/{slug}/settings": (401, 404),
    "POST /programs/{slug}/topics": (401, 404),
    "DELETE /programs/{slug}/topics/{topic}": (401, 404),
    "POST /programs/{slug}/roster": (401, 404),
    "POST /programs/{slug}/pools": (401, 404),
    "PATCH /programs/{slug}/pools/{pool_id}": (401, 404),
    "DELETE /programs/{slug}/pools/{pool_id}": (401, 404),
    "POST /programs/{slug}/pools/{pool_id}/members": (401, 404),
    "DELETE /programs/{slug}/pools/{pool_id}/members/{user_id}": (401, 404),
    "POST /programs/{slug}/rules": (401, 404),
    "DELETE /programs/{slug}/rules/{rule_id}": (401, 404),
    "PATCH /programs/{slug}/members/{user_id}/matching": (401, 404),
    "PUT /programs/{slug}/my-pools": (401, 404),
    # Cohort matching: the program's admins only.
    "GET /programs/{slug}/cohort-rounds": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/cohort-runs": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/cohort-runs/{run_id}": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/cohort-runs/{run_id}/pairs": (401, 404, 404, 200, 404, 404),
    "GET /programs/{slug}/cohort-runs/{run_id}/scores.csv": (401, 404, 404, 200, 404, 404),
    "POST /programs/{slug}/cohort-rounds": (401, 404),
    "POST /cohort-rounds/{round_id}/asks": (401, 404),
    "POST /programs/{slug}/cohort-runs": (401, 404),
    "POST /programs/{slug}/cohort-runs/{run_id}/fix": (401, 404),
    "POST /programs/{slug}/cohort-runs/{run_id}/swap": (401, 404),
    "POST /programs/{slug}/cohort-runs/{run_id}/release": (401, 404),
    "POST /programs/{slug}/cohort-runs/{run_id}/rerun": (401, 404),
    "POST /programs/{slug}/cohort-runs/{run_id}/publish": (401, 404),
    "POST /programs/{slug}/matches": (401, 404),
    # Issue 14, after the event (see WEB).
    "GET /events/{slug}/met": (401, 200, 200, 200, 404, 404),
    "PUT /events/{slug}/met/{seat_id}/rating": (401, 404),
    "PUT /events/{slug}/met/{seat_id}/stay-in-touch": (401, 404),
    "POST /events/{slug}/met/{seat_id}/follow-up": (401, 404),
    "GET /events/{slug}/summary": (401, 404, 404, 200, 404, 404),
    "GET /events/{slug}/buddies": (401, 404, 404, 404, 404, 404),
    "POST /events/{slug}/buddies": (401, 404),
    "POST /events/{slug}/buddies/publish": (401, 404),
    "GET /events/{slug}/buddies/mine": (401, 200, 200, 200, 404, 404),
    "GET /events/{slug}/buddies/threads/{thread_id}/messages": (401, 404, 404, 404, 404, 404),
    "POST /events/{slug}/buddies/threads/{thread_id}/messages": (401, 404),
    "POST /events/{slug}/buddies/threads/{thread_id}/thanks": (401, 404),
    # Events (set-up and registration): members read; organisers (the admin) change.
    "GET /programs/{slug}/events": (401, 200, 200, 200, 404, 404),
    "POST /programs/{slug}/events": (401, 404),
    "GET /events/{slug}": (401, 200, 200, 200, 404, 404),
    "PATCH /events/{slug}": (401, 404),
    "POST /events/{slug}/publish": (401, 404),
    "POST /events/{slug}/cancel": (401, 404),
    "GET /events/{slug}/registrations": (401, 200, 200, 200, 404, 404),
    "POST /events/{slug}/registrations": (401, 404),
    "POST /events/{slug}/registrations/{registration_id}/cancel": (401, 404),
    "POST /events/{slug}/invitations": (401, 404),
    # Event schedules: organisers only; each participant's own agenda.
    "GET /events/{slug}/schedule": (401, 404, 404, 200, 404, 404),
    "GET /events/{slug}/agenda": (401, 200, 200, 404, 404, 404),
    "POST /events/{slug}/schedule": (401, 404),
    "POST /events/{slug}/schedule/move": (401, 404),
    "POST /events/{slug}/schedule/swap": (401, 404),
    "POST /events/{slug}/schedule/lock": (401, 404),
    "POST /events/{slug}/schedule/publish": (401, 404),
    # Issue 14, the live room (see WEB above).
    "GET /events/{slug}/live": (401, 200, 200, 200, 404, 404),
    "POST /events/{slug}/live/{action}": (401, 404),
    "POST /events/{slug}/checkin": (401, 404),
    "POST /events/{slug}/registrations/{registration_id}/absent": (401, 404),
}

# Bodies and query strings that pass validation, so the answer is about access, not input.
LATER = "2030-01-07T10:00:00Z"
API_BODIES: dict[str, dict[str, Any]] = {
    "POST /auth/token": {"email": "mentee@example.org", "password": "wrong"},
    "PATCH /me/profile": {"headline": "Hello"},
    "PUT /me/availability": {"timezone": "UTC", "weekly": []},
    "POST /asks": {
        "program": "acme",
        "topics": ["sql"],
        "question": "How do I use window functions?",
    },
    "PATCH /asks/{ask_id}": {"question": "How do I negotiate equity?"},
    "POST /asks/{ask_id}/invitations": {"mentor": 1},
    "POST /engagements/{engagement_id}/messages": {"body": "Hello"},
    "POST /engagements/{engagement_id}/resources": {"title": "A", "url": "https://example.org"},
    "POST /engagements/{engagement_id}/thanks": {"body": "Thanks"},
    "POST /engagements/{engagement_id}/contact": {"share": True},
    "POST /engagements/{engagement_id}/report": {"reason": "Rude"},
    "POST /engagements/{engagement_id}/sessions": {"start": LATER, "duration": 30},
    "POST /invitations/{invitation_id}/decline": {"reason": "no_time"},
    "POST /invitations/{invitation_id}/clarify": {"body": "Which country?"},
    "POST /invitations/{invitation_id}/answer": {"body": "Germany"},
    "POST /sessions/{session_id}/reschedule": {"start": LATER},
    "POST /sessions/{session_id}/outcome": {"outcome": "held"},
    "POST /sessions/{session_id}/feedback": {"rating": 5},
    "PATCH /programs/{slug}/members/{member_id}": {"roles": ["mentee"]},
    "POST /programs/{slug}/members/{member_id}/offboarding": {"handovers": []},
    "POST /programs/{slug}/members/{member_id}/removal": {"handovers": []},
    "POST /programs/{slug}/invitations": {"email": "new@example.org", "roles": ["mentee"]},
    "POST /programs/{slug}/invitations/bulk": {"emails": ["new@example.org"], "roles": ["mentee"]},
    "POST /programs/{slug}/application-questions": {"text": "Why mentor?"},
    "PATCH /programs/{slug}/application-questions/{question_id}": {"text": "Why mentor?"},
    "PUT /programs/{slug}/mentor-application": {"answers": {}},
    "POST /programs/{slug}/mentor-queue/{user_id}/decline": {"reason": "Not this term."},
    "POST /programs/{slug}/mentor-queue/{user_id}/ask-more": {"message": "Which team?"},
    "PUT /programs/{slug}/mentor-onboarding": {"note": "Welcome."},
    "POST /programs": {"name": "New program"},
    "PATCH /programs/{slug}/settings": {"name": "Renamed"},
    "POST /programs/{slug}/topics": {"name": "Onboarding"},
    "POST /programs/{slug}/pools": {"name": "Paris"},
    "PATCH /programs/{slug}/pools/{pool_id}": {"name": "Paris"},
    "POST /programs/{slug}/pools/{pool_id}/members": {"members": [1]},
    "POST /programs/{slug}/rules": {"mentee_pool": 1, "mentor_pool": 1},
    "PATCH /programs/{slug}/members/{user_id}/matching": {"manager_email": ""},
    "PUT /programs/{slug}/my-pools": {"pools": []},
    "POST /programs/{slug}/cohort-rounds": {"name": "June", "deadline": LATER},
    "POST /cohort-rounds/{round_id}/asks": {"ask": 1},
    "POST /programs/{slug}/cohort-runs/{run_id}/fix": {"ask": 1, "mentor": 1},
    "POST /programs/{slug}/cohort-runs/{run_id}/swap": {"ask": 1, "other_ask": 2},
    "POST /programs/{slug}/cohort-runs/{run_id}/release": {"ask": 1},
    "POST /programs/{slug}/matches": {"ask": 1, "mentor": 1},
    "PUT /events/{slug}/met/{seat_id}/rating": {"rating": 5},
    "PUT /events/{slug}/met/{seat_id}/stay-in-touch": {"yes": True},
    "POST /events/{slug}/buddies/threads/{thread_id}/messages": {"body": "Hello"},
    "POST /events/{slug}/buddies/threads/{thread_id}/thanks": {"body": "Thanks"},
    "POST /programs/{slug}/events": {"kind": "speed_mentoring", "title": "New event"},
    "PATCH /events/{slug}": {"title": "Renamed"},
    "POST /events/{slug}/cancel": {"reason": ""},
    "POST /events/{slug}/registrations": {"role": "mentee"},
    "POST /events/{slug}/invitations": {"members": [1]},
    "POST /events/{slug}/schedule/move": {"round": 1, "mentee": 1, "mentor": None},
    "POST /events/{slug}/schedule/swap": {"round": 1, "mentee": 1, "other": 2},
    "POST /events/{slug}/schedule/lock": {"round": 1, "mentee": 1},
    "POST /events/{slug}/checkin": {"code": "ABCDE"},
}
API_QUERIES: dict[str, dict[str, Any]] = {
    "GET /mentors/{mentor_id}/slots": {"start": LATER, "end": "2030-01-09T10:00:00Z"},
}

# ------------------------------------------------------------------------- discovery


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _api_schema() -> dict[str, Any]:
    return ninja_api.get_openapi_schema(path_prefix="/" + API_PREFIX)


def api_operations() -> list[str]:
    """Every operation of the OpenAPI schema as "METHOD /path" (path after /api/v1)."""
    return [
        f"{method.upper()} {path.removeprefix('/' + API_PREFIX.rstrip('/'))}"
        for path, item in _api_schema()["paths"].items()
        for method in item
    ]


def web_routes() -> list[str]:
    """Every route of the URL conf that is not an API operation nor third-party."""
    api_paths = {re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/")) for path in _api_schema()["paths"]}
    routes = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or route in api_paths or route in routes:
            continue
        routes.append(route)
    return routes


def test_every_route_has_an_expected_outcome() -> None:
    assert sorted(web_routes()) == sorted(WEB), "add the new web route to WEB (or remove it)"
    assert sorted(api_operations()) == sorted(API), "add the new API operation to API"


# ----------------------------------------------------------------------------- world


def build_world(program, mentee, mentor, admin) -> dict[str, Any]:
    """The mentee's ask, accepted by the mentor: an engagement with a booked session, a
    thank-you, a report; everything a route's path can name, keyed by name."""
    availability_services.availability_set(
        user=mentor,
        timezone_name="UTC",
        weekly=[(day, time(0), time(23, 30)) for day in range(7)],
        min_notice_minutes=0,
    )
    ask = ask_services.ask_create(
        program=program,
        mentee=mentee,
        topics=["negotiating-an-offer"],
        question="How do I negotiate a data science offer with equity?",
        sessions=2,  # one booked below, one left: the slot picker has something to show
    )
    invitation = ask_services.invitation_create(ask=ask, mentor_id=mentor.pk, by=mentee)
    engagement = ask_services.invitation_accept(invitation=invitation, by=mentor)
    now = timezone.now()
    slot, _ = availability_queries.free_slots(
        mentor=mentor,
        mentee=mentee,
        duration=30,
        start=now + timedelta(days=1),
        end=now + timedelta(days=3),
        now=now,
    )[0]
    session = sessions_services.session_book(
        engagement=engagement, by=mentee, start=slot, duration=30
    )
    # Thanks come once a session has taken place (here: as of the booked session's end).
    thanks = ask_services.thanks_send(
        engagement=engagement, by=mentee, body="Thank you!", now=session.end
    )
    report = ask_services.report_create(engagement=engagement, by=mentee, reason="Test report")
    token, _ = api_token_create(user=mentee, name="web")
    (member_invitation,) = member_invite(
        program=program, emails=["newcomer@example.org"], roles=["mentee"], by=admin
    )
    member_token, member_invitation.token_hash = new_invitation_token()
    member_invitation.save(update_fields=["token_hash"])
    roster = roster_upload_create(
        program=program, by=admin, file_name="roster.csv", data=b"email,name,roles\n"
    )
    # A pool the members chose (so the mentee sees it), and a rule that keeps the pair.
    pool = pool_create(program=program, by=admin, name="London", self_select=True)
    pool_members_add(
        pool=pool,
        by=admin,
        members=Membership.objects.filter(program=program, user__in=[mentee, mentor]),
    )
    rule = match_rule_create(program=program, by=admin, mentee_pool=pool, mentor_pool=pool)
    # A cohort run over the mentee's second, open ask, and a sign-up round.
    cohort_ask = ask_services.ask_create(
        program=program,
        mentee=mentee,
        topics=["sql"],
        question="How do I speed up a slow SQL report with many joins?",
    )
    run = cohort_services.cohort_run_now(program=program, by=admin)
    round = cohort_services.cohort_round_create(
        program=program, by=admin, name="June", deadline=now + timedelta(days=7)
    )
    # A published event named like the program (route parameters called `slug` name both),
    # with the mentee registered.
    event = event_setup.event_publish(
        event=event_setup.event_create(
            program=program,
            by=admin,
            kind="speed_mentoring",
            title="Speed mentoring",
            slug=program.slug,
            place="Atrium",
            timezone="UTC",
        ),
        by=admin,
    )
    registration = registration_create(event=event, user=mentee, role="mentee")
    seat, buddy_thread = _event_world(program, mentee, mentor, now, event, registration)
    # The schedule's pages need a draft too: the engine's, from the registrations.
    schedule_services.event_schedule_solve(event=event, by=admin)
    return {
        "live_action": "start",
        "live_mark": "absent",
        "program": program.slug,
        "join_code": program.invite_code,
        "welcome_step": "languages",
        "media_path": "avatars/not-there.jpg",
        "ask": ask.pk,
        "invitation": invitation.pk,
        "engagement": engagement.pk,
        "session": session.pk,
        "thanks": thanks.pk,
        "report": report.pk,
        "mentor": mentor.pk,
        "mentor_membership": Membership.objects.get(program=program, user=mentor).pk,
        "question": ApplicationQuestion.objects.create(program=program, text="Why mentor?").pk,
        "queue_action": "approve",
        "notification": Notification.objects.filter(user=mentee).order_by("pk")[0].pk,
        "unsubscribe": unsubscribe_token(mentee, "message"),
        "calendar": sessions_services.calendar_feed_get(user=mentee).token,
        "token": token.pk,
        "member_invitation": member_invitation.pk,
        "member_invite_token": member_token,
        "roster_token": roster.token,
        "insights_figure": "funnel",
        "report_month": timezone.now().strftime("%Y-%m"),
        "identity_field": identity_field_create(
            program=program, by=admin, label="Gender", options=["A", "B"], prefer_not_to_say=True
        ).pk,
        "pool": pool.pk,
        "rule": rule.pk,
        "run": run.pk,
        "round": round.pk,
        "cohort_ask": cohort_ask.pk,
        "ask_action": "withdraw",
        "invitation_action": "decline",
        "engagement_action": "close",
        "session_action": "cancel",
        "own_topic": "acme-onboarding",
        "seat": seat,
        "buddy_thread": buddy_thread,
        "buddies_action": "publish",
        "registration": registration.pk,
        "event": event.slug,
        "event_round": 1,
        "event_mentee": registration.pk,
    }


def _event_world(program, mentee, mentor, now, acme, registration) -> tuple[int, int]:
    """In the world's event "acme" (named as the program: one slug names both in the
    paths), a published schedule where the mentee meets the mentor; and a buddy thread of
    another event, ended."""
    from pairup.events.models import BuddyThread, Event, EventSchedule, Registration, Seat

    def event(slug: str, kind: str) -> Event:
        return Event.objects.create(
            program=program,
            slug=slug,
            kind=kind,
            title=slug,
            state="ended",
            starts_at=now - timedelta(days=1),
            ends_at=now - timedelta(hours=20),
            registration_closes_at=now - timedelta(days=2),
            conference_starts_on=(now - timedelta(days=1)).date(),
            conference_ends_on=(now + timedelta(days=1)).date(),
        )

    def seat_in(e: Event, mentee_registration: Registration | None = None) -> Seat:
        schedule = EventSchedule.objects.create(event=e, state="published", created_at=now)
        mentor_registration = Registration.objects.create(
            event=e, user=mentor, role="mentor", registered_at=now
        )
        mentee_registration = mentee_registration or Registration.objects.create(
            event=e, user=mentee, role="mentee", registered_at=now
        )
        return Seat.objects.create(
            schedule=schedule, round=0, mentor=mentor_registration, mentee=mentee_registration
        )

    seat = seat_in(acme, registration)
    buddies = event("acme-buddies", "conference_buddies")
    other = seat_in(buddies)
    thread = BuddyThread.objects.create(
        event=buddies,
        schedule=other.schedule,
        mentor=other.mentor,
        created_at=now,
        closes_at=now + timedelta(days=2),
    )
    thread.members.set([mentee, mentor])
    return seat.pk, thread.pk


# ------------------------------------------------------------------------------ calls

API_PARAMS = {
    "ask_id": "ask",
    "invitation_id": "invitation",
    "engagement_id": "engagement",
    "session_id": "session",
    "mentor_id": "mentor",
    "slug": "program",
    "token_id": "token",
    "member_id": "mentor_membership",
    "question_id": "question",
    "pool_id": "pool",
    "rule_id": "rule",
    "user_id": "mentor",
    "topic": "own_topic",
    "run_id": "run",
    "round_id": "round",
    "seat_id": "seat",
    "thread_id": "buddy_thread",
    "registration_id": "registration",
    "action": "live_action",
}


def outcome(response: Any) -> Any:
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return response.status_code


# A web route's parameter names an entry of the world: by its name, or for `pk`, `action`
# and `token` by the route's first segment ("asks/<int:pk>/" is the mentee's ask).
WEB_PARAMS = {
    "slug": "program",
    "field_id": "identity_field",
    "code": "join_code",
    "step": "welcome_step",
    "path": "media_path",
    "user_id": "mentor",
    "membership_id": "mentor_membership",
    "token_id": "token",
    "invitation_id": "member_invitation",
    "question_id": "question",
    "topic": "own_topic",
    "pool_id": "pool",
    "rule_id": "rule",
    "run_id": "run",
    "ask_id": "cohort_ask",
    "seat_id": "seat",
    "thread_id": "buddy_thread",
    "program_slug": "program",
    "registration_id": "registration",
}
BY_SEGMENT = {
    ("mark", "events"): "live_mark",
    ("pk", "asks"): "ask",
    ("pk", "invitations"): "invitation",
    ("pk", "engagements"): "engagement",
    ("pk", "sessions"): "session",
    ("pk", "notifications"): "notification",
    ("pk", "thanks"): "thanks",
    ("pk", "p"): "report",
    ("action", "asks"): "ask_action",
    ("action", "invitations"): "invitation_action",
    ("action", "engagements"): "engagement_action",
    ("action", "sessions"): "session_action",
    # Also the action of a personal invitation (resend, revoke): refused before it is read.
    ("action", "p"): "queue_action",
    ("action", "events"): "buddies_action",
    ("token", "notifications"): "unsubscribe",
    ("token", "calendar"): "calendar",
    ("token", "invite"): "member_invite_token",
    ("token", "p"): "roster_token",
    # An event's routes name the event by its slug.
    ("slug", "events"): "event",
    ("round", "events"): "event_round",
    ("mentee", "events"): "event_mentee",
    ("name", "p"): "insights_figure",
    ("month", "p"): "report_month",
}


def web_path(route: str, world: dict[str, Any]) -> str:
    segment = route.split("/", 1)[0]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        key = BY_SEGMENT.get((name, segment)) or WEB_PARAMS.get(name) or BY_SEGMENT[name, segment]
        return str(world[key])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


# A parameter named otherwise under a path's first segment: /events/{slug} is an event's.
API_BY_SEGMENT = {("slug", "events"): "event"}


def api_path(operation: str, world: dict[str, Any]) -> str:
    path = operation.split(" ", 1)[1]
    segment = path.split("/")[1]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(world[API_BY_SEGMENT.get((name, segment)) or API_PARAMS[name]])

    return "/api/v1" + re.sub(r"\{(\w+)\}", value, path)


def observe(people: dict[str, Any], world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What each persona gets, in the shape of WEB and API (reads first, then writes)."""
    web_clients = {}
    api_headers: dict[str, dict[str, str]] = {}
    for persona in PERSONAS:
        client = Client()
        user = people.get(persona)
        api_headers[persona] = {}
        if user is not None:
            client.force_login(user)
            _, raw = api_token_create(user=user, name="matrix")
            api_headers[persona] = {"Authorization": f"Bearer {raw}"}
        web_clients[persona] = client
    bare = Client()  # API calls carry no session: the token alone signs them in
    web_get: dict[str, list[Any]] = {}
    api_result: dict[str, list[Any]] = {}
    operations = api_operations()
    for route in web_routes():
        path = web_path(route, world)
        web_get[route] = [outcome(web_clients[p].get(path)) for p in PERSONAS]
    for op in operations:
        if op.startswith("GET "):
            path = api_path(op, world)
            query = API_QUERIES.get(op, {})
            api_result[op] = [
                outcome(bare.get(path, query, headers=api_headers[p])) for p in PERSONAS
            ]
    web_post: dict[str, list[Any]] = {}
    for route in web_routes():
        path = web_path(route, world)
        web_post[route] = [
            outcome(web_clients[p].post(path, {})) for p in ("anonymous", "outsider")
        ]
    for op in operations:
        if not op.startswith("GET "):
            method, _ = op.split(" ", 1)
            call = getattr(bare, method.lower())
            api_result[op] = [
                outcome(
                    call(
                        api_path(op, world),
                        API_BODIES.get(op, {}),
                        content_type="application/json",
                        headers=api_headers[p],
                    )
                )
                for p in ("anonymous", "outsider")
            ]
    web = {route: (tuple(web_get[route]), tuple(web_post[route])) for route in web_get}
    return {"web": web, "api": {op: tuple(v) for op, v in api_result.items()}}


@pytest.mark.django_db
def test_access_matrix(program, mentee, mentor, admin, outsider) -> None:
    staff = UserFactory(email="staff@example.org", is_staff=True)
    people = {"mentee": mentee, "mentor": mentor, "admin": admin, "outsider": outsider}
    people["staff"] = staff
    world = build_world(program, mentee, mentor, admin)
    seen = observe(people, world)
    if os.environ.get("PAIRUP_MATRIX_RECORD") == "1":
        print("WEB = " + pprint.pformat(seen["web"], width=100, sort_dicts=False))
        print("API = " + pprint.pformat(seen["api"], width=100, sort_dicts=False))
    wrong = [
        f"{route}: expected {WEB.get(route)}, got {got}"
        for route, got in seen["web"].items()
        if WEB.get(route) != got
    ] + [
        f"{op}: expected {API.get(op)}, got {got}"
        for op, got in seen["api"].items()
        if API.get(op) != got
    ]
    assert not wrong, "\n".join(wrong)
    assert ApiToken.objects.filter(user=mentee).count() == 2  # nobody revoked the mentee's
