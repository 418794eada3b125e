"""Seed data for the web load test (bench/load.py): one large program on top of the demo.

Run by bench/load.py in a subprocess that has Django set up (`python bench/load_seed.py
OUT.json --mentors N --mentees N --engagements N`), against the baseline code (the database
is then copied and migrated forward for the code under test), so only model and service
calls that exist in both may be used here.

Writes OUT.json: the program slug, and for every mentee their API token, a signed-in web
session key, their open ask and their engagements (with the mentor), so the load clients
need no sign-in (whose rate limits would otherwise be what the test measures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import time, timedelta
from pathlib import Path

PROGRAM_SLUG = "bench-load"
SITES = [
    ("London", "Europe/London", ["en"]),
    ("New York", "America/New_York", ["en", "es"]),
    ("Bengaluru", "Asia/Kolkata", ["en", "hi"]),
]
WINDOWS = [
    ((9, 0, 12, 0), (14, 0, 17, 0)),
    ((8, 30, 10, 30), (13, 0, 15, 0), (16, 0, 18, 0)),
    ((10, 0, 12, 30), (15, 0, 17, 30)),
    ((7, 30, 9, 0), (12, 0, 13, 30), (17, 0, 19, 0)),
    ((11, 0, 14, 0), (16, 30, 18, 30)),
]
QUESTIONS = [
    "How do I negotiate salary and equity in my first {t} offer?",
    "How do I prepare for a {t} interview in three weeks?",
    "What should I learn first to grow in {t}?",
    "How do I give a ten-minute talk about {t} to leadership?",
    "How do I get feedback on my {t} work from a senior colleague?",
    "Which habits made you good at {t}, and how did you build them?",
]


def seed(*, mentors: int, mentees: int, engagements: int, rng_seed: int = 20261010) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from pairup.accounts.models import Expertise, Profile, User
    from pairup.accounts.services import api_token_create
    from pairup.asks.models import Ask, Engagement, Invitation
    from pairup.availability.services import availability_set
    from pairup.programs.models import Membership, MentorStatus, Program
    from pairup.site.demo import FIRST, LAST, ROLES
    from pairup.topics.models import Topic

    rng = random.Random(rng_seed)
    now = timezone.now()
    password = make_password("pairup-bench", salt="pairupbench")
    topics = {t.slug: t for t in Topic.objects.all()}
    role_topics = [[topics[s] for s in r.topics if s in topics] for r in ROLES]

    with transaction.atomic():
        program = Program.objects.create(
            name="Bench Load",
            slug=PROGRAM_SLUG,
            description="The web load test's program.",
            session_lengths=[30, 60],
            max_sessions_per_engagement=3,
            mentor_monthly_cap=500,
            mentors_need_approval=True,
            max_open_asks=50,
            invite_code="bench-load-invite",
        )

        def people(prefix: str, n: int) -> list[User]:
            users = User.objects.bulk_create(
                User(email=f"{prefix}{i:05d}@bench.pairup", password=password) for i in range(n)
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
            )
            return users

        mentor_users = people("mentor", mentors)
        mentee_users = people("mentee", mentees)
        profiles = []
        for i, u in enumerate(mentor_users):
            site, tz, langs = SITES[i % 3]
            role = ROLES[i % len(ROLES)]
            profiles.append(
                Profile(
                    user=u,
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    headline=f"{role.title} · {site}",
                    timezone=tz,
                    site=site,
                    languages=sorted(set(langs) | ({"fr"} if rng.random() < 0.2 else set())),
                    tags=sorted({role.title.split()[0].lower(), site.lower().replace(" ", "-")}),
                    bio=f"{role.story} {rng.randint(3, 22)} years in the job.",
                )
            )
        for i, u in enumerate(mentee_users):
            site, tz, langs = SITES[i % 3]
            profiles.append(
                Profile(
                    user=u,
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    headline=f"Analyst · {site}",
                    timezone=tz,
                    site=site,
                    languages=langs[:1],
                    bio="Keen to learn from colleagues at other sites.",
                )
            )
        Profile.objects.bulk_create(profiles)
        mentor_profiles = {p.user_id: p for p in profiles[:mentors]}
        expertise = []
        for i, u in enumerate(mentor_users):
            pool = role_topics[i % len(ROLES)]
            for t in rng.sample(pool, k=min(len(pool), rng.randint(2, 4))):
                expertise.append(
                    Expertise(
                        profile=mentor_profiles[u.pk],
                        topic=t,
                        level=rng.choice(["expert", "experienced", "familiar"]),
                    )
                )
        Expertise.objects.bulk_create(expertise)
        Membership.objects.bulk_create(
            [
                Membership(
                    program=program,
                    user=u,
                    is_mentor=True,
                    mentor_status=MentorStatus.APPROVED,
                )
                for u in mentor_users
            ]
            + [Membership(program=program, user=u, is_mentee=True) for u in mentee_users]
        )
        for i, u in enumerate(mentor_users):
            pattern = WINDOWS[i % len(WINDOWS)]
            availability_set(
                user=u,
                timezone_name=SITES[i % 3][1],
                weekly=[
                    (day, time(h1, m1), time(h2, m2))
                    for day in range(5)
                    for h1, m1, h2, m2 in pattern
                ],
                buffer_minutes=10,
                min_notice_minutes=12 * 60,
                horizon_days=30,
            )

        def ask(mentee: User, status: str, t: Topic) -> Ask:
            return Ask(
                program=program,
                mentee=mentee,
                kind="skill",
                format="video",
                duration=30,
                sessions=3 if status == "engaged" else 1,
                question=rng.choice(QUESTIONS).format(t=t.name.lower()),
                tried="I read around and asked my manager; I want a practitioner's view.",
                status=status,
            )

        all_topics = [t for ts in role_topics for t in ts]
        open_topics = [rng.choice(all_topics) for _ in mentee_users]
        open_asks = Ask.objects.bulk_create(
            ask(u, "open", t) for u, t in zip(mentee_users, open_topics, strict=True)
        )
        Ask.topics.through.objects.bulk_create(
            Ask.topics.through(ask_id=a.pk, topic_id=t.pk)
            for a, t in zip(open_asks, open_topics, strict=True)
        )
        # Engagements: every mentee gets one before anyone gets a second, mentors at random.
        pairs = [
            (mentee_users[k % mentees], rng.choice(mentor_users), rng.choice(all_topics))
            for k in range(engagements)
        ]
        engaged = Ask.objects.bulk_create(ask(m, "engaged", t) for m, _, t in pairs)
        Ask.topics.through.objects.bulk_create(
            Ask.topics.through(ask_id=a.pk, topic_id=t.pk)
            for a, (_, _, t) in zip(engaged, pairs, strict=True)
        )
        Invitation.objects.bulk_create(
            Invitation(
                ask=a,
                mentor=mentor,
                status="accepted",
                created_at=now - timedelta(days=2),
                responded_at=now - timedelta(days=1, hours=rng.randint(1, 20)),
            )
            for a, (_, mentor, _) in zip(engaged, pairs, strict=True)
        )
        made = Engagement.objects.bulk_create(
            Engagement(
                ask=a,
                program=program,
                mentee=mentee,
                mentor=mentor,
                status="active",
                sessions_agreed=3,
                created_at=now - timedelta(days=1),
            )
            for a, (mentee, mentor, _) in zip(engaged, pairs, strict=True)
        )

    people_out = []
    by_mentee: dict[int, list[dict]] = {}
    for e in made:
        by_mentee.setdefault(e.mentee_id, []).append({"id": e.pk, "mentor": e.mentor_id})
    for u, a in zip(mentee_users, open_asks, strict=True):
        _, raw = api_token_create(user=u, name="bench")
        session = SessionStore()
        session["_auth_user_id"] = str(u.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = u.get_session_auth_hash()
        session.set_expiry(60 * 60 * 24 * 14)
        session.create()
        people_out.append(
            {
                "id": u.pk,
                "token": raw,
                "session": session.session_key,
                "ask": a.pk,
                "engagements": by_mentee.get(u.pk, []),
            }
        )
    return {
        "program": PROGRAM_SLUG,
        "mentors": [u.pk for u in mentor_users],
        "mentees": people_out,
        "words": sorted({t.name.split()[0].lower() for t in all_topics} | {"london", "years"}),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--mentors", type=int, default=300)
    parser.add_argument("--mentees", type=int, default=1500)
    parser.add_argument("--engagements", type=int, default=1500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    import django

    django.setup()
    from pairup.site.demo import demo_load

    demo_load()
    data = seed(mentors=args.mentors, mentees=args.mentees, engagements=args.engagements)
    args.out.write_text(json.dumps(data))
    print(
        f"seeded {args.mentors} mentors, {args.mentees} mentees, {args.engagements} engagements",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
