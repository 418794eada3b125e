"""Solving, changing and publishing an event's schedule: zero repeats, even sit-outs, the
draft replaced, changes refused naming the rule, publishing all or nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.db import IntegrityError

from pairup.asks.models import Block
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.events import services_schedule as services
from pairup.events.models import (
    EventKind,
    EventSchedule,
    EventState,
    EventTable,
    RegistrationRole,
    RegistrationStatus,
    ScheduleState,
    Seat,
)
from pairup.notifications.models import Notification
from pairup.programs.models import AuditEntry

from .schedule_helpers import make_event, new_mentee, new_mentor, register, speed_event

pytestmark = pytest.mark.django_db


def _solve(event):
    return services.event_schedule_solve(event=event, by=None)


def test_a_speed_schedule_has_no_repeat_and_even_sit_outs(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=7, mentors=2, rounds=3)
    schedule = services.event_schedule_solve(event=event, by=admin)
    seats = list(schedule.seats.all())
    pairs = Counter((s.mentor_id, s.mentee_id) for s in seats)
    assert max(pairs.values()) == 1
    per_round = Counter((s.round, s.mentor_id) for s in seats)
    assert max(per_round.values()) == 1  # one seat a mentor
    met = Counter(s.mentee_id for s in seats)
    sitouts = [3 - met[m.pk] for m in mentees]
    assert max(sitouts) - min(sitouts) <= 1
    f = schedule.figures
    assert f["meetings"] == 6 == len(seats)
    assert f["repeats"] == 0
    assert (f["sitouts_min"], f["sitouts_max"]) == (min(sitouts), max(sitouts))
    assert f["mentor_load"]["max"] == 3
    assert f["relevance_vs_optimum"] == 1.0
    assert schedule.state == ScheduleState.DRAFT
    # One table a mentor, created for the event.
    assert EventTable.objects.filter(event=event).count() == 2
    assert all(s.table is not None for s in seats)
    assert {s.table_id for s in seats if s.mentor_id == mentors[0].pk} == {
        s.table_id for s in seats if s.mentor_id == mentors[0].pk
    }
    assert AuditEntry.objects.filter(action="event_schedule_solved").count() == 1


def test_solving_again_replaces_the_draft_and_keeps_the_tables(program) -> None:
    event, _, mentors = speed_event(program, mentees=4, mentors=2)
    first = _solve(event)
    tables = dict(first.seats.values_list("mentor_id", "table_id").distinct())
    second = _solve(event)
    assert not EventSchedule.objects.filter(pk=first.pk).exists()
    assert EventSchedule.objects.filter(event=event).count() == 1
    assert dict(second.seats.values_list("mentor_id", "table_id").distinct()) == tables
    assert EventTable.objects.filter(event=event).count() == 2


def test_two_seats_a_mentor_when_mentors_are_short(program) -> None:
    event, mentees, mentors = speed_event(program, mentees=8, mentors=2, seats_per_mentor=2)
    schedule = _solve(event)
    per_round = Counter((s.round, s.mentor_id) for s in schedule.seats.all())
    assert max(per_round.values()) == 2
    assert schedule.figures["sitouts_max"] - schedule.figures["sitouts_min"] <= 1


def test_only_organisers_solve_and_buddies_are_not_scheduled(program, mentee, admin) -> None:
    event, _, _ = speed_event(program, mentees=2, mentors=1)
    with pytest.raises(Forbidden):
        services.event_schedule_solve(event=event, by=mentee)
    event.organisers.add(mentee)
    assert services.event_schedule_solve(event=event, by=mentee).seats.count() == 2
    buddies = make_event(program, slug="buddies", kind=EventKind.CONFERENCE_BUDDIES)
    with pytest.raises(Conflict) as exc:
        services.event_schedule_solve(event=buddies, by=admin)
    assert exc.value.code == "not_scheduled"


def test_unmatched_people_are_named_with_the_reason(program) -> None:
    event = make_event(program, rounds=2)
    jean = register(event, new_mentee(program, "Jean", languages=["fr"]), languages=("fr",))
    register(event, new_mentee(program, "Sam"), languages=("en",))
    register(event, new_mentor(program, "Priya"), RegistrationRole.MENTOR, languages=("en",))
    schedule = _solve(event)
    (item,) = schedule.figures["unmatched_people"]
    assert item["registration"] == jean.pk
    assert (
        item["reason"]
        == "no mentor they may meet: no language in common with the mentee (1 mentor)"
    )
    assert schedule.figures["unmatched"] == 1


def test_roundtables_seat_mentees_at_tables_of_their_topic(program) -> None:
    event = make_event(program, kind=EventKind.ROUNDTABLES, rounds=2, table_size=2)
    ana = register(event, new_mentor(program, "Ana", topics={"sql": "expert"}), "mentor")
    bo = register(event, new_mentor(program, "Bo", topics={"public-speaking": "expert"}), "mentor")
    sql = [register(event, new_mentee(program, f"S{i}"), topics=("sql",)) for i in range(2)]
    talk = [
        register(event, new_mentee(program, f"T{i}"), topics=("public-speaking", "sql"))
        for i in range(2)
    ]
    schedule = _solve(event)
    seats = list(schedule.seats.all())
    assert all(s.mentor_id == ana.pk for s in seats if s.mentee_id in {r.pk for r in sql})
    assert Counter((s.mentor_id, s.mentee_id) for s in seats).most_common(1)[0][1] == 1
    per_table_round = Counter((s.round, s.mentor_id) for s in seats)
    assert max(per_table_round.values()) <= 2
    # Both T mentees meet both hosts over the two rounds.
    assert {(s.mentor_id, s.mentee_id) for s in seats if s.mentee_id in {r.pk for r in talk}} == {
        (h.pk, t.pk) for h in (ana, bo) for t in talk
    }
    assert {s.table.topic.slug for s in seats if s.mentor_id == bo.pk} == {"public-speaking"}


# ------------------------------------------------------------------ an organiser's changes


def _two_by_two(program):
    """4 mentees, 2 mentors, 2 rounds: every mentee meets one mentor a round."""
    event, mentees, mentors = speed_event(program, mentees=2, mentors=2, rounds=2)
    return event, mentees, mentors, _solve(event)


def _seat(schedule, r, mentee):
    return Seat.objects.filter(schedule=schedule, round=r, mentee=mentee).first()


def test_a_move_that_makes_a_repeat_is_refused_naming_the_rule(program, admin) -> None:
    event, (a, b), (m1, m2), schedule = _two_by_two(program)
    at = _seat(schedule, 0, a)
    other = m2 if at.mentor_id == m1.pk else m1
    # In round 0, a moves to the mentor it meets in round 1: a repeat.
    with pytest.raises(Conflict) as exc:
        services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=other.pk, by=admin)
    assert exc.value.code in ("repeat", "capacity")
    # Sitting a out in round 1 first, then moving them: the capacity is now the rule.
    services.event_seat_move(event=event, round=1, mentee=a.pk, mentor=None, by=admin)
    with pytest.raises(Conflict) as exc:
        services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=other.pk, by=admin)
    assert exc.value.code == "capacity"
    assert "full" in exc.value.detail
    # And back: moving a in round 1 to the mentor they already meet in round 0.
    with pytest.raises(Conflict) as exc:
        services.event_seat_move(event=event, round=1, mentee=a.pk, mentor=at.mentor_id, by=admin)
    assert exc.value.code == "repeat"
    assert exc.value.detail.startswith("Mentee 0 already meets Mentor ")


def test_a_swap_moves_both_locks_both_and_reports_the_change(program, admin) -> None:
    event, (a, b), _, schedule = _two_by_two(program)
    before = (_seat(schedule, 0, a).mentor_id, _seat(schedule, 0, b).mentor_id)
    # Swapping in round 0 makes both meet in round 0 whom they meet in round 1: refused.
    with pytest.raises(Conflict) as exc:
        services.event_seat_swap(event=event, round=0, mentee=a.pk, other=b.pk, by=admin)
    assert exc.value.code == "repeat"
    assert (_seat(schedule, 0, a).mentor_id, _seat(schedule, 0, b).mentor_id) == before
    # With a sitting out round 1, a may take b's round-0 seat ... after b sits out too.
    services.event_seat_move(event=event, round=1, mentee=a.pk, mentor=None, by=admin)
    services.event_seat_move(event=event, round=1, mentee=b.pk, mentor=None, by=admin)
    done = services.event_seat_swap(event=event, round=0, mentee=a.pk, other=b.pk, by=admin)
    assert (_seat(schedule, 0, a).mentor_id, _seat(schedule, 0, b).mentor_id) == before[::-1]
    assert all(s.locked for s in done.seats) and len(done.seats) == 2
    assert isinstance(done.relevance_change, float)
    schedule.refresh_from_db()
    assert schedule.figures["repeats"] == 0
    assert schedule.figures["sitouts_max"] == 1


def test_a_move_against_the_programs_rules_is_refused_with_the_rule(program, admin) -> None:
    event, (a, b), (m1, m2), schedule = _two_by_two(program)
    Block.objects.create(blocker=m1.user, blocked=a.user)
    services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=None, by=admin)
    with pytest.raises(ServiceError) as exc:
        services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=m1.pk, by=admin)
    assert exc.value.code == "blocked"
    assert exc.value.detail == (
        "Mentee 0 cannot sit with Mentor 0: a block stands between mentor and mentee."
    )


def test_a_seat_with_its_own_mentor_only_locks_it(program, admin) -> None:
    event, (a, _), _, schedule = _two_by_two(program)
    seat = _seat(schedule, 0, a)
    done = services.event_seat_move(
        event=event, round=0, mentee=a.pk, mentor=seat.mentor_id, by=admin
    )
    assert done.relevance_change == 0.0
    seat.refresh_from_db()
    assert seat.locked
    services.event_seat_lock(event=event, round=0, mentee=a.pk, locked=False, by=admin)
    seat.refresh_from_db()
    assert not seat.locked


def test_a_moved_seat_scores_as_a_solve_does(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=3, mentors=3, rounds=1)
    schedule = _solve(event)
    scores = {(s.mentee_id, s.mentor_id): s.score for s in schedule.seats.all()}
    a = mentees[0]
    seat = _seat(schedule, 0, a)
    services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=None, by=admin)
    services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=seat.mentor_id, by=admin)
    assert _seat(schedule, 0, a).score == pytest.approx(scores[(a.pk, seat.mentor_id)], abs=1e-6)


def test_one_place_a_round_is_the_databases_rule_too(program) -> None:
    event, (a, _), (m1, m2), schedule = _two_by_two(program)
    seat = _seat(schedule, 0, a)
    other = m2 if seat.mentor_id == m1.pk else m1
    with pytest.raises(IntegrityError):
        Seat.objects.create(schedule=schedule, round=0, mentor=other, mentee=a)


def test_changes_need_a_draft(program, admin) -> None:
    event, (a, _), (m1, _), schedule = _two_by_two(program)
    services.event_schedule_publish(event=event, by=admin)
    with pytest.raises(Conflict) as exc:
        services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=None, by=admin)
    assert exc.value.code == "no_draft"


# ------------------------------------------------------------------------- publishing


def test_publishing_sends_each_person_their_agenda_after_commit(
    program, admin, django_capture_on_commit_callbacks
) -> None:
    event, mentees, mentors = speed_event(program, mentees=3, mentors=1, rounds=2)
    first = _solve(event)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.event_schedule_publish(event=event, by=admin)
    assert done.notified == 4
    first.refresh_from_db()
    assert first.state == ScheduleState.PUBLISHED and first.published_at is not None
    assert Notification.objects.filter(kind="event_agenda").count() == 4
    assert len(mail.outbox) == 4
    message = next(m for m in mail.outbox if m.to == [mentees[0].user.email])
    assert "Round 1" in message.body and "Round 2" in message.body
    # A new draft, published, supersedes the first; the notices are replaced, not added.
    second = _solve(event)
    services.event_schedule_publish(event=event, by=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ScheduleState.SUPERSEDED, ScheduleState.PUBLISHED)
    assert Notification.objects.filter(kind="event_agenda").count() == 4


def test_a_failure_while_publishing_leaves_the_draft_and_sends_nothing(
    program, admin, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    event, _, _ = speed_event(program, mentees=3, mentors=1)
    old = _solve(event)
    services.event_schedule_publish(event=event, by=admin)
    draft = _solve(event)
    calls = {"n": 0}
    real = services.notify

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mail server on fire")
        return real(**kwargs)

    monkeypatch.setattr(services, "notify", flaky)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.event_schedule_publish(event=event, by=admin)
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.state == ScheduleState.DRAFT
    assert old.state == ScheduleState.PUBLISHED
    assert mail.outbox == []
    assert Notification.objects.filter(kind="event_agenda").count() == 4  # the first's


def test_publishing_refuses_a_stale_draft_a_draft_event_and_no_draft(program, admin) -> None:
    event, mentees, _ = speed_event(program, mentees=2, mentors=1, state=EventState.DRAFT)
    with pytest.raises(Conflict) as exc:
        services.event_schedule_publish(event=event, by=admin)
    assert exc.value.code == "event_not_published"
    event.state = EventState.PUBLISHED
    event.save()
    with pytest.raises(Conflict) as exc:
        services.event_schedule_publish(event=event, by=admin)
    assert exc.value.code == "no_draft"
    draft = _solve(event)
    mentees[0].status = RegistrationStatus.CANCELLED
    mentees[0].save()
    with pytest.raises(Conflict) as exc:
        services.event_schedule_publish(event=event, by=admin)
    assert exc.value.code == "stale_draft"
    assert "Mentee 0 cancelled" in exc.value.detail
    draft.refresh_from_db()
    assert draft.state == ScheduleState.DRAFT


def test_solving_again_keeps_the_locked_seats_and_solves_around_them(program, admin) -> None:
    event, mentees, mentors = speed_event(program, mentees=6, mentors=3, rounds=3)
    schedule = _solve(event)
    a = mentees[0]
    # Bring forward to round 0 a meeting of a's from a later round: a leaves that round,
    # sits out round 0, then takes the place of whoever has that mentor in round 0.
    later = Seat.objects.filter(schedule=schedule, mentee=a).exclude(round=0).first()
    services.event_seat_move(event=event, round=later.round, mentee=a.pk, mentor=None, by=admin)
    moved = services.event_seat_move(event=event, round=0, mentee=a.pk, mentor=None, by=admin)
    assert moved.seats == ()
    holder = Seat.objects.get(schedule=schedule, round=0, mentor_id=later.mentor_id)
    done = services.event_seat_swap(
        event=event, round=0, mentee=a.pk, other=holder.mentee_id, by=admin
    )
    assert [(s.mentee_id, s.mentor_id) for s in done.seats] == [(a.pk, later.mentor_id)]
    locked = set(
        Seat.objects.filter(schedule=schedule, locked=True).values_list(
            "round", "mentor_id", "mentee_id"
        )
    )
    assert locked == {(0, later.mentor_id, a.pk)}
    again = _solve(event)
    kept = set(again.seats.filter(locked=True).values_list("round", "mentor_id", "mentee_id"))
    assert kept == locked
    assert again.seats.filter(round=0, mentee=a, mentor_id=later.mentor_id).exists()
    assert again.figures["repeats"] == 0
    assert again.figures["sitouts_max"] - again.figures["sitouts_min"] <= 1
    assert again.figures["relevance"] <= again.figures["optimum"] + 1e-9
    assert again.figures["relevance_vs_optimum"] <= 1.0


def test_a_lock_that_no_longer_fits_is_refused_naming_it(program, admin) -> None:
    event, mentees, mentors = speed_event(
        program, mentees=4, mentors=1, rounds=2, seats_per_mentor=2
    )
    schedule = _solve(event)
    for s in schedule.seats.filter(round=0):
        services.event_seat_lock(event=event, round=0, mentee=s.mentee_id, locked=True, by=admin)
    event.seats_per_mentor = 1
    event.save()
    with pytest.raises(Conflict) as exc:
        _solve(event)
    assert exc.value.code == "locked_seat"
    assert "unlock it" in exc.value.detail
    assert EventSchedule.objects.get(event=event).pk == schedule.pk  # the draft stays


def test_roundtables_over_rounds_have_no_repeat_and_even_sit_outs(program) -> None:
    event = make_event(program, kind=EventKind.ROUNDTABLES, rounds=3, table_size=2)
    hosts = [
        register(event, new_mentor(program, f"H{i}", topics={"sql": "expert"}), "mentor")
        for i in range(2)
    ]
    guests = [register(event, new_mentee(program, f"G{i}"), topics=("sql",)) for i in range(6)]
    schedule = _solve(event)
    seats = list(schedule.seats.all())
    assert Counter((s.mentor_id, s.mentee_id) for s in seats).most_common(1)[0][1] == 1
    assert max(Counter((s.round, s.mentor_id) for s in seats).values()) == 2
    met = Counter(s.mentee_id for s in seats)
    assert max(met[g.pk] for g in guests) - min(met[g.pk] for g in guests) <= 1
    assert schedule.figures["meetings"] == 12 == len(seats)
    assert {s.mentor_id for s in seats} == {h.pk for h in hosts}


@pytest.mark.parametrize("mentees, mentors", [(0, 0), (3, 0), (0, 2)])
def test_an_event_with_one_side_missing_gets_an_empty_schedule(program, mentees, mentors) -> None:
    event, e_regs, m_regs = speed_event(program, mentees=mentees, mentors=mentors)
    schedule = _solve(event)
    assert schedule.seats.count() == 0
    assert schedule.figures["meetings"] == 0
    assert schedule.figures["unmatched"] == mentees + mentors
    reasons = {i["reason"] for i in schedule.figures["unmatched_people"]}
    assert reasons <= {"no mentor registered", "no mentee registered"}


def test_roundtables_with_one_side_missing(program) -> None:
    event = make_event(program, kind=EventKind.ROUNDTABLES, rounds=2)
    register(event, new_mentee(program, "Alone"), topics=("sql",))
    schedule = _solve(event)
    assert schedule.figures["unmatched"] == 1
