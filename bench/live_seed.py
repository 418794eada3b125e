"""Seed data for the live-room benchmark (bench/live.py): one program with a speed-mentoring
event of N mentees and M mentors, a published schedule made by the engine, a signed-in web
session for every mentee (the phones), and an organiser with an API token.

    python bench/live_seed.py OUT.json --mentees 1000 --mentors 200 --seats 5 --rounds 10

Run in a process with Django's settings and DATABASE_URL set (bench/live.py does it).
People's words come from bench/generate.py (seeded), their topics from the taxonomy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PROGRAM_SLUG = "bench-live"
EVENT_SLUG = "bench-live-night"
FIRST = ["Ada", "Ben", "Chen", "Dara", "Eli", "Femi", "Gita", "Hugo", "Ines", "Jon", "Kai", "Lea"]
LAST = ["Okafor", "Schmidt", "Rossi", "Tanaka", "Silva", "Novak", "Haddad", "Berg", "Moreau"]


def seed(*, mentees: int, mentors: int, seats: int, rounds: int, rng_seed: int = 7) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from generate import Program as Generator
    from pairup.accounts.models import Profile, User
    from pairup.accounts.services import api_token_create
    from pairup.events.live_checkin import ensure_checkin_codes
    from pairup.events.models import (
        Event,
        EventKind,
        EventSchedule,
        EventState,
        EventTable,
        Registration,
        ScheduleState,
        Seat,
    )
    from pairup.events.scheduling.records import load_event_records
    from pairup.events.scheduling.solve import solve
    from pairup.programs.models import Membership, MentorStatus, Program
    from pairup.topics.models import Topic

    gen = Generator(seed=rng_seed)
    rng = gen.rng
    now = timezone.now()
    password = make_password("pairup-bench", salt="pairupbench")
    leaves = list(Topic.objects.filter(parent__isnull=False).order_by("pk"))
    t0 = time.perf_counter()
    with transaction.atomic():
        program = Program.objects.create(
            name="Bench Live", slug=PROGRAM_SLUG, description="The live-room benchmark."
        )
        admin = User.objects.create(email="organiser@bench-live.pairup", password=password)
        admin.profile.display_name = "Olu Organiser"
        admin.profile.save()
        Membership.objects.create(program=program, user=admin, is_admin=True)

        def people(prefix: str, n: int) -> list[User]:
            users = User.objects.bulk_create(
                User(email=f"{prefix}{i:05d}@bench-live.pairup", password=password)
                for i in range(n)
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
            )
            Profile.objects.bulk_create(
                Profile(
                    user=u,
                    display_name=f"{FIRST[int(rng.integers(len(FIRST)))]} "
                    f"{LAST[int(rng.integers(len(LAST)))]} {i}",
                    headline=f"{prefix.title()} at a bench company",
                    bio=gen.sentence(i % len(gen.topics), 24),
                    languages=["en"],
                )
                for i, u in enumerate(users)
            )
            return users

        mentor_users = people("mentor", mentors)
        mentee_users = people("mentee", mentees)
        Membership.objects.bulk_create(
            [
                Membership(
                    program=program, user=u, is_mentor=True, mentor_status=MentorStatus.APPROVED
                )
                for u in mentor_users
            ]
            + [Membership(program=program, user=u, is_mentee=True) for u in mentee_users]
        )
        start = now + timedelta(minutes=5)
        event = Event.objects.create(
            program=program,
            slug=EVENT_SLUG,
            kind=EventKind.SPEED_MENTORING,
            title="Bench live night",
            state=EventState.PUBLISHED,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            registration_closes_at=start - timedelta(hours=1),
            rounds=rounds,
            round_minutes=12,
            break_minutes=3,
            seats_per_mentor=seats,
        )
        event.organisers.add(admin)
        tables = EventTable.objects.bulk_create(
            EventTable(event=event, number=i + 1) for i in range(mentors)
        )
        regs = Registration.objects.bulk_create(
            [
                Registration(
                    event=event,
                    user=u,
                    role="mentor",
                    seated_as="mentor",
                    registered_at=now,
                    languages=["en"],
                    want=gen.sentence(i % len(gen.topics), 10)[:200],
                )
                for i, u in enumerate(mentor_users)
            ]
            + [
                Registration(
                    event=event,
                    user=u,
                    role="mentee",
                    seated_as="mentee",
                    registered_at=now,
                    languages=["en"],
                    want=gen.sentence(int(rng.integers(len(gen.topics))), 12)[:200],
                )
                for u in mentee_users
            ]
        )
        Registration.topics.through.objects.bulk_create(
            Registration.topics.through(
                registration_id=r.pk, topic_id=leaves[int(rng.integers(len(leaves)))].pk
            )
            for r in regs
        )
        ensure_checkin_codes(event)
        plan = solve(load_event_records(event, now, decide=False)).schedule
        schedule = EventSchedule.objects.create(
            event=event, state=ScheduleState.PUBLISHED, created_at=now, published_at=now
        )
        table_of = {r.pk: tables[i].pk for i, r in enumerate(regs[:mentors])}
        Seat.objects.bulk_create(
            (
                Seat(
                    schedule=schedule,
                    round=m.round,
                    mentor_id=m.mentor_id,
                    mentee_id=m.mentee_id,
                    table_id=table_of[int(m.mentor_id)],
                    score=m.score,
                )
                for m in plan.meetings
            ),
            batch_size=2000,
        )
    phones = []
    for u, r in zip(mentee_users, regs[mentors:], strict=True):
        session = SessionStore()
        session["_auth_user_id"] = str(u.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = u.get_session_auth_hash()
        session.set_expiry(60 * 60 * 24)
        session.create()
        phones.append({"user": u.pk, "registration": r.pk, "session": session.session_key})
    screen = SessionStore()
    screen["_auth_user_id"] = str(admin.pk)
    screen["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    screen["_auth_user_hash"] = admin.get_session_auth_hash()
    screen.set_expiry(60 * 60 * 24)
    screen.create()
    _, token = api_token_create(user=admin, name="bench")
    return {
        "event": EVENT_SLUG,
        "event_id": event.pk,
        "organiser_token": token,
        "organiser_session": screen.session_key,
        "phones": phones,
        "seats": len(plan.meetings),
        "seeded_s": round(time.perf_counter() - t0, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    import django

    django.setup()
    data = seed(mentees=args.mentees, mentors=args.mentors, seats=args.seats, rounds=args.rounds)
    args.out.write_text(json.dumps(data))
    print(
        f"seeded {args.mentees} mentees, {args.mentors} mentors, {data['seats']} seats "
        f"in {data['seeded_s']} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
