"""An event's registrations as the engine's records: who sits on which side, and every rule
of the program in them (pools, reporting line, blocks, languages)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.asks.models import Block
from pairup.events.models import EventKind, EventTable, RegistrationRole, RegistrationStatus
from pairup.events.scheduling.records import decide_sides, load_event_records
from pairup.events.services_schedule import event_schedule_solve
from pairup.programs.models import MatchRule, Membership, Pool
from pairup.topics.models import Topic

from .schedule_helpers import make_event, new_mentee, new_mentor, register, speed_event

pytestmark = pytest.mark.django_db


def test_only_registered_people_take_part(program) -> None:
    event, mentees, mentors = speed_event(program, mentees=3, mentors=1)
    register(event, new_mentee(program, "Waiting"), status=RegistrationStatus.WAITLISTED)
    register(event, new_mentee(program, "Gone"), status=RegistrationStatus.CANCELLED)
    records = load_event_records(event, timezone.now())
    assert records.mentee_ids == [r.pk for r in mentees]
    assert records.mentor_ids == [r.pk for r in mentors]


def test_a_mentee_record_is_their_want_line_topics_languages_and_site(program) -> None:
    event = make_event(program)
    user = new_mentee(program, "Sam", site="Paris", languages=["fr"])
    reg = register(event, user, topics=("sql",), want="Learn window functions")
    register(event, new_mentor(program, "Priya"), RegistrationRole.MENTOR)
    (record,) = load_event_records(event, timezone.now()).mentees
    assert record.id == reg.pk
    assert "Learn window functions" in record.text
    assert [t.path for t in record.topics] == ["hard-skills/data-analysis/sql"] or [
        t.path.split("/")[-1] for t in record.topics
    ] == ["sql"]
    assert record.site == "Paris"
    assert record.languages == ("fr",)  # the profile's, as the registration names none


def test_a_mentor_record_is_their_profile_expertise_and_registration(program) -> None:
    event = make_event(program)
    user = new_mentor(
        program, "Priya", topics={"sql": "expert"}, headline="Analytics lead", site="London"
    )
    reg = register(event, user, RegistrationRole.MENTOR, topics=("python",), languages=("de",))
    register(event, new_mentee(program, "Sam"))
    (record,) = load_event_records(event, timezone.now()).mentors
    assert record.id == reg.pk
    assert "Analytics lead" in record.text and "SQL" in record.text
    levels = {t.path.split("/")[-1]: t.level for t in record.topics}
    assert levels == {"sql": "expert", "python": None}
    assert record.languages == ("de",)  # the registration's, over the profile's
    assert record.site == "London"
    assert record.capacity is None and record.load == 0  # events do not count toward caps


def test_pools_reporting_line_and_blocks_go_into_exclude(program) -> None:
    event = make_event(program)
    blocked, managed, pooled, free = (new_mentee(program, n) for n in ("B", "M", "P", "F"))
    boss = new_mentor(program, "Boss")
    other = new_mentor(program, "Other")
    Block.objects.create(blocker=blocked, blocked=other)
    managed.profile.manager_email = boss.email.upper()
    managed.profile.save()
    regs = {u.pk: register(event, u) for u in (blocked, managed, pooled, free)}
    boss_reg = register(event, boss, RegistrationRole.MENTOR)
    other_reg = register(event, other, RegistrationRole.MENTOR)
    records = load_event_records(event, timezone.now())
    exclude = {int(a.id): set(a.exclude) for a in records.mentees}
    assert exclude[regs[blocked.pk].pk] == {other_reg.pk}
    assert exclude[regs[managed.pk].pk] == {boss_reg.pk}
    assert exclude[regs[free.pk].pk] == set()
    assert records.refusal(regs[managed.pk].pk, boss_reg.pk) == "reporting_line"
    assert records.refusal(regs[blocked.pk].pk, other_reg.pk) == "blocked"
    # Now the program's match rules: pool "juniors" may meet pool "seniors" only.
    juniors = Pool.objects.create(program=program, name="Juniors")
    seniors = Pool.objects.create(program=program, name="Seniors")
    MatchRule.objects.create(program=program, mentee_pool=juniors, mentor_pool=seniors)
    Membership.objects.get(program=program, user=pooled).pools.add(juniors)
    Membership.objects.get(program=program, user=boss).pools.add(seniors)
    records = load_event_records(event, timezone.now())
    exclude = {int(a.id): set(a.exclude) for a in records.mentees}
    assert exclude[regs[pooled.pk].pk] == {other_reg.pk}
    assert exclude[regs[free.pk].pk] == {boss_reg.pk, other_reg.pk}  # in no pool
    assert records.refusal(regs[pooled.pk].pk, other_reg.pk) == "pool_rule"


def test_a_solved_schedule_keeps_every_rule(program) -> None:
    event = make_event(program, rounds=2)
    sam, ana = new_mentee(program, "Sam"), new_mentee(program, "Ana")
    fr_only = new_mentee(program, "Jean", languages=["fr"])
    priya = new_mentor(program, "Priya", languages=["en"])
    raj = new_mentor(program, "Raj", languages=["en", "fr"])
    Block.objects.create(blocker=priya, blocked=sam)
    sam_r, ana_r, jean_r = (register(event, u) for u in (sam, ana, fr_only))
    priya_r = register(event, priya, RegistrationRole.MENTOR)
    raj_r = register(event, raj, RegistrationRole.MENTOR)
    schedule = event_schedule_solve(event=event, by=None)
    met = set(schedule.seats.values_list("mentee_id", "mentor_id"))
    assert (sam_r.pk, priya_r.pk) not in met  # the block
    assert (jean_r.pk, priya_r.pk) not in met  # no language in common
    # Raj has two seats (two rounds) and Sam and Jean may meet nobody else.
    assert met == {(sam_r.pk, raj_r.pk), (ana_r.pk, priya_r.pk), (jean_r.pk, raj_r.pk)}


def test_either_fills_mentor_seats_while_mentors_are_short(program) -> None:
    event = make_event(program, seats_per_mentor=1)
    roles = {1: "mentee", 2: "mentee", 3: "mentee", 4: "mentor", 5: "either", 6: "either"}
    # 3 mentees and 1 mentor (1 seat): one "either" becomes a mentor, the other... balances.
    sides = decide_sides(event, roles, {5: 0, 6: 2})
    assert sides == {6: "mentor", 5: "mentee"} or sides == {6: "mentor", 5: "mentor"}
    assert sides[6] == "mentor"  # who knows more topics first
    # Mentors plentiful: "either"s sit as mentees.
    roles = {1: "mentee", 2: "mentor", 3: "mentor", 4: "either"}
    assert decide_sides(event, roles, {}) == {4: "mentee"}
    # Two seats a mentor: 5 mentees, 1 mentor, 3 eithers -> (1+k)*2 >= 5+3-k -> k = 2.
    event.seats_per_mentor = 2
    roles = dict.fromkeys(range(1, 6), "mentee") | {
        6: "mentor",
        7: "either",
        8: "either",
        9: "either",
    }
    sides = decide_sides(event, roles, {})
    assert sorted(sides.values()) == ["mentee", "mentor", "mentor"]


def test_solving_stores_the_side_each_either_takes(program) -> None:
    event = make_event(program)
    for i in range(4):
        register(event, new_mentee(program, f"E{i}"))
    either = register(event, new_mentor(program, "Flex"), RegistrationRole.EITHER)
    event_schedule_solve(event=event, by=None)
    either.refresh_from_db()
    assert either.seated_as == "mentor"
    assert either.side == "mentor"


def test_roundtable_hosts_take_the_tables_of_their_topics(program) -> None:
    event = make_event(program, kind=EventKind.ROUNDTABLES, rounds=1, table_size=2)
    sql = Topic.objects.get(slug="sql")
    speaking = Topic.objects.get(slug="public-speaking")
    t1 = EventTable.objects.create(event=event, number=1, topic=speaking)
    t2 = EventTable.objects.create(event=event, number=2, topic=sql)
    ana = register(event, new_mentor(program, "Ana", topics={"sql": "expert"}), "mentor")
    bo = register(
        event, new_mentor(program, "Bo", topics={"public-speaking": "experienced"}), "mentor"
    )
    records = load_event_records(event, timezone.now())
    assert records.places[ana.pk].table_id == t2.pk
    assert records.places[bo.pk].table_id == t1.pk
    host = {int(m.id): m for m in records.mentors}
    assert [t.path.split("/")[-1] for t in host[ana.pk].topics] == ["sql"]
