"""After the event and conference buddies over /api/v1 (the events' router): the people a
participant met with their rating, stay-in-touch and follow-up; the organiser's summary
figures; buddy groups (preview, form, publish: organisers) and each group's thread (its
members only). As on the pages: anything of another program, or not one's own, is 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Schema, Status
from pydantic import Field

from pairup.accounts.http import ApiRequest
from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.api import PageOut, page_response
from pairup.core.schemas import Input

from . import rules
from .after import services as after
from .after.overview import MetItem, met_overview
from .after.summary import event_summary
from .api_router import router
from .buddies import services as buddies
from .buddies.queries import (
    buddy_schedules,
    get_buddy_thread_for_user,
    schedule_groups,
    thread_messages,
    threads_of,
)
from .buddies.services import THANKS_MAX_LENGTH
from .models import BuddyMessage, BuddyThread, EventSchedule
from .queries import event_access, get_event_for_organiser

# ---------------------------------------------------------------------------- people met


class EventMetPersonOut(Schema):
    name: str
    headline: str
    want: str = Field(description="Their one line “what I want from this”")


class EventMetTopicOut(Schema):
    slug: str
    name: str


class EventContactOut(Schema):
    email: str
    profile_url: str = Field(description="Their mentor profile page; empty for a non-mentor")


class EventStayInTouchOut(Schema):
    mine: bool = Field(description="I said yes")
    mutual: bool = Field(description="Both said yes: contact details are exchanged")
    contact: EventContactOut | None = Field(
        description="The other's contact details, only once both said yes"
    )


class EventFollowUpStateOut(Schema):
    ask_id: int | None = Field(description="The follow-up ask sent to this person, if any")
    ask_status: str | None
    engagement_id: int | None = Field(description="Set once they accepted")
    possible: bool = Field(description="A follow-up ask to this person can be sent now")
    refusal: str | None = Field(description="Why no follow-up ask can go to this person")


class EventMetOut(Schema):
    seat_id: int
    round: int = Field(description="From 1; 1 for conference buddies")
    table: str | None
    side: str = Field(description="My side in this conversation: mentor or mentee")
    person: EventMetPersonOut
    topics: list[EventMetTopicOut]
    my_rating: int | None
    stay_in_touch: EventStayInTouchOut
    follow_up: EventFollowUpStateOut


def _stay_out(item: MetItem) -> dict[str, Any]:
    contact = item.contact if item.mutual else None
    return {
        "mine": item.i_said_yes,
        "mutual": item.mutual,
        "contact": {"email": contact.email, "profile_url": contact.profile_url}
        if contact
        else None,
    }


def _met_out(item: MetItem) -> dict[str, Any]:
    c = item.conversation
    other = c.other_user
    f = item.follow_up
    return {
        "seat_id": c.seat.pk,
        "round": c.seat.round + 1,
        "table": str(c.seat.table) if c.seat.table else None,
        "side": c.side,
        "person": {
            "name": other.display_name,
            "headline": other.profile.headline,
            "want": c.other.want,
        },
        "topics": [{"slug": t.slug, "name": t.name} for t in c.topics],
        "my_rating": item.my_rating,
        "stay_in_touch": _stay_out(item),
        "follow_up": {
            "ask_id": f.ask_id if f else None,
            "ask_status": f.ask.status if f else None,
            "engagement_id": item.follow_up_engagement.pk if item.follow_up_engagement else None,
            "possible": f is None and item.follow_up_refusal is None,
            "refusal": item.follow_up_refusal,
        },
    }


def _item(user: User, slug: str, seat_id: int) -> MetItem:
    event = event_access(user, slug).event
    for item in met_overview(event, user, timezone.now()):
        if item.seat_id == seat_id:
            return item
    raise Http404("No such conversation")


@router.get(
    "/events/{slug}/met",
    response=list[EventMetOut],
    summary="The people I met at an event (rounds played), with my rating and follow-ups",
)
def event_met_list(request: ApiRequest, slug: str) -> list[dict[str, Any]]:
    event = event_access(request.auth, slug).event
    return [_met_out(i) for i in met_overview(event, request.auth, timezone.now())]


class EventRatingIn(Input):
    rating: int = Field(ge=1, le=5, description="1 (not useful) to 5 (excellent)")


class EventRatingOut(Schema):
    seat_id: int
    rating: int


@router.put(
    "/events/{slug}/met/{seat_id}/rating",
    response=EventRatingOut,
    summary="Rate a conversation 1–5 (again to change it); its two people only",
)
def event_rating_put(
    request: ApiRequest, slug: str, seat_id: int, payload: EventRatingIn
) -> dict[str, Any]:
    event = event_access(request.auth, slug).event
    row = after.conversation_rate(
        event=event, seat_id=seat_id, by=request.auth, rating=payload.rating
    )
    return {"seat_id": row.seat_id, "rating": row.rating}


class EventStayInTouchIn(Input):
    yes: bool = Field(description="true: stay in touch; false: take back a yes (until mutual)")


@router.put(
    "/events/{slug}/met/{seat_id}/stay-in-touch",
    response=EventStayInTouchOut,
    summary="Say yes (or take it back) to staying in touch; contact only once both say yes",
)
def event_stay_in_touch_put(
    request: ApiRequest, slug: str, seat_id: int, payload: EventStayInTouchIn
) -> dict[str, Any]:
    event = event_access(request.auth, slug).event
    after.stay_in_touch_set(event=event, seat_id=seat_id, by=request.auth, yes=payload.yes)
    return _stay_out(_item(request.auth, slug, seat_id))


class EventFollowUpIn(Input):
    """Every field may be left out: the ask is pre-filled from the event and the
    conversation's topic (one video session of the program's first length)."""

    question: str | None = Field(default=None, max_length=limits.ASK_QUESTION_MAX_LENGTH)
    topics: list[str] | None = Field(default=None, max_length=limits.ASK_TOPICS_MAX)
    tried: str | None = Field(default=None, max_length=limits.ASK_TRIED_MAX_LENGTH)
    kind: str | None = None
    format: str | None = Field(default=None, description="video, in_person or chat")
    duration: int | None = Field(default=None, description="Minutes: one of the program's lengths")
    sessions: int | None = Field(default=None, description="1 to 3")
    by: date | None = None

    multiline = frozenset({"question", "tried"})


class EventFollowUpOut(Schema):
    id: int
    ask_id: int
    ask_status: str
    invited: str = Field(description="The name of the person invited")
    created_at: datetime


@router.post(
    "/events/{slug}/met/{seat_id}/follow-up",
    response={201: EventFollowUpOut},
    summary="Follow a conversation up: an ask to that person, invited (the asks' rules apply)",
)
def event_follow_up_create(
    request: ApiRequest, slug: str, seat_id: int, payload: EventFollowUpIn
) -> Status:
    event = event_access(request.auth, slug).event
    data = payload.dict(exclude_none=True)
    follow_up = after.follow_up_create(
        event=event,
        seat_id=seat_id,
        by=request.auth,
        question=data.pop("question", None),
        topics=data.pop("topics", None),
        ask_fields=data,
    )
    return Status(
        201,
        {
            "id": follow_up.pk,
            "ask_id": follow_up.ask_id,
            "ask_status": follow_up.ask.status,
            "invited": follow_up.invited.display_name,
            "created_at": follow_up.created_at,
        },
    )


# --------------------------------------------------------------------------- summary


class EventSummaryBuddiesOut(Schema):
    pairs: int
    trios: int
    unmatched: int
    threads: int
    messages: int
    thanks: int


class EventSummaryOut(Schema):
    registered: int
    waitlisted: int
    cancelled: int
    checked_in: int
    absent: int
    not_checked_in: int
    meetings_scheduled: int
    meetings_held: int
    people_met: int
    ratings: dict[str, int] = Field(description="Conversations rated with 1 … 5 stars")
    ratings_count: int
    rating_average: float | None
    conversations_rated: int
    stay_in_touch_yes: int
    stay_in_touch_mutual: int
    follow_ups: int
    follow_ups_waiting: int
    follow_ups_engaged: int
    buddies: EventSummaryBuddiesOut | None


@router.get(
    "/events/{slug}/summary",
    response=EventSummaryOut,
    summary="The organiser's summary figures of an event (counts only)",
)
def event_summary_get(request: ApiRequest, slug: str) -> dict[str, Any]:
    access = get_event_for_organiser(request.auth, slug)
    if not rules.can_see_event_summary(access.organiser):
        raise Http404("No such event")
    return event_summary(access.event).as_dict()


# --------------------------------------------------------------------------- buddies


class EventBuddyPersonOut(Schema):
    registration_id: int
    name: str
    site: str


class EventBuddyGroupOut(Schema):
    mentor: EventBuddyPersonOut
    mentees: list[EventBuddyPersonOut]
    score: float


class EventBuddyUnmatchedOut(Schema):
    registration: int
    name: str
    reason: str


class EventBuddyScheduleOut(Schema):
    id: int
    state: str
    created_at: datetime
    published_at: datetime | None
    pairs: int
    trios: int
    mentees: int
    mentors: int
    mentors_without_buddy: int
    unmatched: list[EventBuddyUnmatchedOut]
    groups: list[EventBuddyGroupOut]


class EventBuddyPreviewOut(Schema):
    draft: EventBuddyScheduleOut | None
    published: EventBuddyScheduleOut | None


def _schedule_out(schedule: EventSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    f = schedule.figures

    def person(r: Any) -> dict[str, Any]:
        return {"registration_id": r.pk, "name": r.user.display_name, "site": r.user.profile.site}

    return {
        "id": schedule.pk,
        "state": schedule.state,
        "created_at": schedule.created_at,
        "published_at": schedule.published_at,
        "pairs": f.get("pairs", 0),
        "trios": f.get("trios", 0),
        "mentees": f.get("mentees", 0),
        "mentors": f.get("mentors", 0),
        "mentors_without_buddy": f.get("mentors_without_buddy", 0),
        "unmatched": f.get("unmatched", []),
        "groups": [
            {
                "mentor": person(g.mentor),
                "mentees": [person(m) for m in g.mentees],
                "score": g.score,
            }
            for g in schedule_groups(schedule)
        ],
    }


def _organised_buddies(user: User, slug: str) -> Any:
    access = get_event_for_organiser(user, slug)
    if not rules.can_form_buddies(access.organiser, access.event):
        raise Http404("No buddy groups for this event")
    return access.event


@router.get(
    "/events/{slug}/buddies",
    response=EventBuddyPreviewOut,
    summary="The buddy groups: the draft and the published ones (organisers)",
)
def event_buddies_get(request: ApiRequest, slug: str) -> dict[str, Any]:
    event = _organised_buddies(request.auth, slug)
    draft, published = buddy_schedules(event)
    return {"draft": _schedule_out(draft), "published": _schedule_out(published)}


@router.post(
    "/events/{slug}/buddies",
    response={201: EventBuddyScheduleOut},
    summary="Form the buddy groups as a draft, replacing an earlier draft (organisers)",
)
def event_buddies_form(request: ApiRequest, slug: str) -> Status:
    event = _organised_buddies(request.auth, slug)
    return Status(201, _schedule_out(buddies.buddies_form(event=event, by=request.auth)))


@router.post(
    "/events/{slug}/buddies/publish",
    response=EventBuddyScheduleOut,
    summary="Publish the draft: introductions and shared threads (organisers)",
)
def event_buddies_publish(request: ApiRequest, slug: str) -> dict[str, Any] | None:
    event = _organised_buddies(request.auth, slug)
    return _schedule_out(buddies.buddies_publish(event=event, by=request.auth))


class EventBuddyMemberOut(Schema):
    name: str
    headline: str
    mentor: bool
    me: bool


class EventBuddyThreadOut(Schema):
    id: int
    open: bool = Field(description="Messages may be posted (the conference is not over)")
    closes_at: datetime
    closed_at: datetime | None
    can_thank: bool = Field(description="Closed, and I have not sent my thank-you yet")
    members: list[EventBuddyMemberOut]


def _thread_out(thread: BuddyThread, user: User, now: datetime) -> dict[str, Any]:
    thanked = thread.messages.filter(kind="thanks", author=user).exists()
    return {
        "id": thread.pk,
        "open": thread.is_open(now),
        "closes_at": thread.closes_at,
        "closed_at": thread.closed_at,
        "can_thank": rules.can_thank_buddy(user, thread, now) and not thanked,
        "members": [
            {
                "name": m.display_name,
                "headline": m.profile.headline,
                "mentor": m.pk == thread.mentor.user_id,
                "me": m.pk == user.pk,
            }
            for m in thread.members.all()
        ],
    }


@router.get(
    "/events/{slug}/buddies/mine",
    response=list[EventBuddyThreadOut],
    summary="My buddy groups at an event, with their threads",
)
def event_buddies_mine(request: ApiRequest, slug: str) -> list[dict[str, Any]]:
    event = event_access(request.auth, slug).event
    now = timezone.now()
    threads = threads_of(event, request.auth).select_related("mentor")
    return [_thread_out(t, request.auth, now) for t in threads]


class EventBuddyMessageOut(Schema):
    id: int
    kind: str = Field(description="message, intro, closing or thanks")
    author: str | None = Field(description="None for PairUp's introduction and closing note")
    mine: bool
    body: str
    created_at: datetime


class EventBuddyMessagePage(PageOut):
    items: list[EventBuddyMessageOut]


class EventBuddyBodyIn(Input):
    body: str = Field(max_length=limits.MESSAGE_MAX_LENGTH)

    multiline = frozenset({"body"})


class EventBuddyThanksIn(Input):
    body: str = Field(max_length=THANKS_MAX_LENGTH)

    multiline = frozenset({"body"})


def _message_out(message: BuddyMessage, user: User) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "author": message.author.display_name if message.author else None,
        "mine": message.author_id == user.pk,
        "body": message.body,
        "created_at": message.created_at,
    }


@router.get(
    "/events/{slug}/buddies/threads/{thread_id}/messages",
    response=EventBuddyMessagePage,
    summary="A buddy thread's messages (its members only)",
)
def event_buddy_messages(
    request: ApiRequest, slug: str, thread_id: int, page: int = 1
) -> dict[str, Any]:
    thread = get_buddy_thread_for_user(request.auth, slug, thread_id)
    return page_response(
        thread_messages(thread), page, lambda m: _message_out(m, request.auth), per_page=50
    )


@router.post(
    "/events/{slug}/buddies/threads/{thread_id}/messages",
    response={201: EventBuddyMessageOut},
    summary="Write to one's buddies while the conference lasts (409 after)",
)
def event_buddy_message_post(
    request: ApiRequest, slug: str, thread_id: int, payload: EventBuddyBodyIn
) -> Status:
    thread = get_buddy_thread_for_user(request.auth, slug, thread_id)
    message = buddies.buddy_message_post(thread=thread, by=request.auth, body=payload.body)
    return Status(201, _message_out(message, request.auth))


@router.post(
    "/events/{slug}/buddies/threads/{thread_id}/thanks",
    response={201: EventBuddyMessageOut},
    summary="Once the conference is over, a short thank-you note to one's buddies (once)",
)
def event_buddy_thanks(
    request: ApiRequest, slug: str, thread_id: int, payload: EventBuddyThanksIn
) -> Status:
    thread = get_buddy_thread_for_user(request.auth, slug, thread_id)
    message = buddies.buddy_thanks_send(thread=thread, by=request.auth, body=payload.body)
    return Status(201, _message_out(message, request.auth))
