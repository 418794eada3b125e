"""Deterministic demo data: one program of about 30 mentors and 80 mentees across three
sites, a program admin, and a second program whose members must see nothing of the first.

Loading is idempotent: the whole demo is written in one transaction, and a second run finds
it and changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from pairup.accounts.models import Expertise, Profile, User
from pairup.programs.models import Membership, MentorStatus, Program
from pairup.topics.models import Topic

PASSWORD = "pairup-demo"
DEMO_SLUG = "acme-mentoring"
OTHER_SLUG = "globex-mentors"

LOGINS = [
    ("admin@demo.pairup", "program admin of Acme Mentoring"),
    ("mentor@demo.pairup", "an approved mentor in Acme Mentoring"),
    ("mentee@demo.pairup", "a mentee in Acme Mentoring"),
    ("outsider@demo.pairup", "a member of Globex Mentors only: sees nothing of Acme"),
]

SITES = [
    ("London", "Europe/London", ["en"]),
    ("New York", "America/New_York", ["en", "es"]),
    ("Bengaluru", "Asia/Kolkata", ["en", "hi"]),
]

FIRST = [
    "Amara",
    "Ben",
    "Chen",
    "Dalia",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Mei",
    "Nadia",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sanjay",
    "Tamsin",
    "Uche",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zara",
    "Aditi",
    "Bruno",
    "Camille",
    "Dev",
    "Emeka",
    "Freya",
    "Gabriel",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
]
LAST = [
    "Adeyemi",
    "Bauer",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fernandes",
    "Gupta",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Thompson",
    "Usman",
    "Varga",
    "Wang",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Iyer",
    "Murphy",
]


@dataclass(frozen=True)
class Role:
    title: str
    topics: tuple[str, ...]
    story: str


ROLES = [
    Role(
        "Data scientist",
        ("data-analysis", "statistics", "machine-learning", "python", "sql"),
        "I build forecasting and pricing models and I like turning messy data into a decision.",
    ),
    Role(
        "Engineering manager",
        ("leading-a-team", "one-on-ones", "hiring", "system-design", "delegation"),
        "I went from engineer to manager four years ago and made most of the classic mistakes first.",
    ),
    Role(
        "Software engineer",
        ("python", "javascript", "code-review", "system-design", "interview-prep"),
        "I have run more than two hundred technical interviews and I enjoy demystifying them.",
    ),
    Role(
        "Product manager",
        ("product-management", "stakeholder-management", "storytelling", "strategy"),
        "I moved into product from customer support, so changing fields is close to my heart.",
    ),
    Role(
        "HR business partner",
        ("performance-reviews", "employee-relations", "compensation", "onboarding"),
        "I help managers through reviews, pay conversations and the occasional hard case.",
    ),
    Role(
        "Talent acquisition lead",
        ("interview-prep", "resume-review", "negotiating-an-offer", "job-applications"),
        "I have been on the other side of hundreds of offers and know what is negotiable.",
    ),
    Role(
        "UX designer",
        ("ux-design", "accessibility", "public-speaking", "personal-branding"),
        "I design for accessibility first and speak about it at meetups.",
    ),
    Role(
        "Sales director",
        ("sales", "negotiation", "public-speaking", "leading-a-team"),
        "I lead a team of twelve account executives and still take discovery calls myself.",
    ),
    Role(
        "Marketing lead",
        ("marketing", "storytelling", "personal-branding", "data-visualisation"),
        "I run campaigns end to end and care about telling a story the numbers back up.",
    ),
    Role(
        "Finance analyst",
        ("finance-basics", "spreadsheets", "data-analysis", "business-writing"),
        "Budgets, business cases and spreadsheets that other people can actually read.",
    ),
    Role(
        "Teacher and SEL coach",
        (
            "social-emotional-learning",
            "classroom-management",
            "curriculum-design",
            "giving-feedback",
        ),
        "Fifteen years in classrooms; now I coach new teachers on social-emotional learning.",
    ),
    Role(
        "DEI program lead",
        ("inclusive-leadership", "allyship", "employee-resource-groups", "inclusive-hiring"),
        "I started our first employee resource group and now run inclusive hiring training.",
    ),
    Role(
        "Project manager",
        ("project-management", "time-management", "stakeholder-management", "change-management"),
        "I deliver cross-site projects and I am happy to share the templates that saved me.",
    ),
    Role(
        "Cloud architect",
        ("cloud", "system-design", "java", "mentoring-others"),
        "I moved our platform to the cloud and mentor engineers growing into architects.",
    ),
    Role(
        "Communications manager",
        ("email-writing", "business-writing", "public-speaking", "storytelling"),
        "I help people write the email that gets answered and give the talk people remember.",
    ),
]

MENTEE_HEADLINES = [
    "Junior analyst",
    "Graduate software engineer",
    "New team lead",
    "Customer support specialist",
    "Marketing associate",
    "First-year teacher",
    "HR coordinator",
    "Sales development rep",
    "Operations analyst",
    "Product designer",
    "Returning to work after a career break",
    "Project coordinator",
]

MENTEE_GOALS = [
    "negotiating-an-offer",
    "interview-prep",
    "public-speaking",
    "career-goals",
    "changing-fields",
    "leading-a-team",
    "giving-feedback",
    "email-writing",
    "sql",
    "data-analysis",
    "spreadsheets",
    "promotion",
    "confidence",
    "time-management",
    "product-management",
    "python",
    "social-emotional-learning",
    "workplace-challenges",
    "networking",
    "resume-review",
]

LEVELS = ["expert", "experienced", "experienced", "familiar"]

# Past asks give mentors a history: the engine's best evidence of what they help with.
PAST_QUESTIONS = {
    "data-analysis": [
        "How do I structure an analysis so my manager can act on it?",
        "Which metrics should I track for a customer churn dashboard?",
    ],
    "statistics": ["How do I explain a non-significant A/B test result to stakeholders?"],
    "machine-learning": ["How do I decide whether a simple model is good enough to ship?"],
    "python": ["How do I organise a growing Python script into a maintainable package?"],
    "sql": ["How do I speed up a slow SQL report that joins five tables?"],
    "leading-a-team": ["How do I lead former peers after being promoted to team lead?"],
    "one-on-ones": ["What should I cover in my first one-on-ones as a new manager?"],
    "hiring": ["How do I run a fair structured interview for a junior role?"],
    "system-design": ["How do I prepare for a system design interview at a larger company?"],
    "delegation": ["How do I delegate work I could do faster myself?"],
    "javascript": ["How do I get comfortable with TypeScript in an old JavaScript codebase?"],
    "code-review": ["How do I give code review comments that do not sound harsh?"],
    "interview-prep": [
        "How do I prepare stories for behavioural interview questions?",
        "How do I handle a technical interview question I cannot answer?",
    ],
    "product-management": ["How do I move from customer support into product management?"],
    "stakeholder-management": ["How do I say no to a senior stakeholder's feature request?"],
    "storytelling": ["How do I turn a data finding into a story executives remember?"],
    "strategy": ["How do I write a one-page strategy for my team's next year?"],
    "performance-reviews": ["How do I write a self-review that shows impact without bragging?"],
    "employee-relations": ["How should I handle a conflict between two people on my team?"],
    "compensation": ["How do I ask for a raise when the budget cycle has closed?"],
    "onboarding": ["What makes a good first two weeks for a new remote hire?"],
    "resume-review": ["How do I shorten my CV to one page without losing my best work?"],
    "negotiating-an-offer": [
        "How do I negotiate salary and equity in a data science offer?",
        "Should I counter a first offer, and how much should I ask for?",
        "How do I negotiate a start date and signing bonus politely?",
    ],
    "job-applications": ["How do I tailor a cover letter for a career change?"],
    "ux-design": ["How do I present a design portfolio case study in 20 minutes?"],
    "accessibility": ["How do I make our web forms accessible to screen-reader users?"],
    "public-speaking": [
        "How do I calm my nerves before presenting to leadership?",
        "How do I structure a 10-minute talk for a team all-hands?",
    ],
    "personal-branding": ["How do I rewrite my LinkedIn profile for a new direction?"],
    "sales": ["How do I run a discovery call that uncovers real needs?"],
    "negotiation": ["How do I negotiate a deadline with another team?"],
    "marketing": ["How do I plan a product launch campaign on a small budget?"],
    "data-visualisation": ["Which chart should I use to compare quarterly results by region?"],
    "finance-basics": ["How do I build a business case with a simple payback calculation?"],
    "spreadsheets": ["How do I clean up a shared spreadsheet that everyone edits differently?"],
    "business-writing": ["How do I write a project update people actually read?"],
    "social-emotional-learning": ["How do I bring social-emotional learning into a maths class?"],
    "classroom-management": ["How do I set routines for a noisy class in my first term?"],
    "curriculum-design": ["How do I plan a unit with assessments that build on each other?"],
    "giving-feedback": ["How do I give difficult feedback to a colleague who is senior to me?"],
    "inclusive-leadership": ["How do I run meetings where quieter people speak up?"],
    "allyship": ["How do I support a colleague who faces biased comments in meetings?"],
    "employee-resource-groups": ["How do I start an employee resource group at our site?"],
    "inclusive-hiring": ["How do I remove bias from our job descriptions?"],
    "project-management": ["How do I rescue a project that is two months late?"],
    "time-management": ["How do I protect focus time when my calendar is full of meetings?"],
    "change-management": ["How do I help my team through a reorganisation?"],
    "cloud": ["How do I get started with cloud certifications as a backend engineer?"],
    "java": ["How do I modernise an old Java service without a big rewrite?"],
    "mentoring-others": ["How do I become a good mentor for a junior engineer?"],
    "email-writing": ["How do I write an email asking a busy executive for 15 minutes?"],
}


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def _user(email: str, password_hash: str) -> User:
    user = User.objects.create(email=email, password=password_hash)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _profile(user: User, **fields: object) -> Profile:
    profile = user.profile
    for k, v in fields.items():
        setattr(profile, k, v)
    profile.full_clean()
    profile.save()
    return profile


def demo_loaded() -> bool:
    return Program.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def demo_load() -> bool:
    """Build the demo; returns False (and changes nothing) when it is there already."""
    if not settings.DEMO_ALLOWED:
        raise RuntimeError("The demo is not allowed with production settings (DEBUG=false).")
    if demo_loaded():
        return False
    rng = random.Random(20261122)
    password_hash = make_password(PASSWORD, salt="pairupdemo")
    topics = {t.slug: t for t in Topic.objects.all()}
    used: set[str] = set()

    admin = _user("admin@demo.pairup", password_hash)
    _profile(
        admin,
        display_name="Alex Morgan",
        headline="Head of learning, Acme",
        timezone="Europe/London",
        site="London",
        languages=["en"],
        bio="I run Acme's mentoring program. Tell me what would make it better.",
    )
    acme = Program.objects.create(
        name="Acme Mentoring",
        slug=DEMO_SLUG,
        description="Short, focused sessions with colleagues across London, New York and Bengaluru.",
        session_lengths=[15, 30, 45, 60],
        max_sessions_per_engagement=3,
        mentor_monthly_cap=4,
        mentors_need_approval=True,
        invite_code="acme-demo-invite",
    )
    Membership.objects.create(program=acme, user=admin, is_admin=True)

    def add_mentor(
        email: str,
        name: str,
        role: Role,
        site_index: int,
        status: str,
        years: int,
        topics_and_levels: list[tuple[str, str]],
    ) -> User:
        site, tz, langs = SITES[site_index]
        user = _user(email, password_hash)
        extra = sorted(
            set(langs)
            | ({"fr"} if rng.random() < 0.2 else set())
            | ({"de"} if rng.random() < 0.1 else set())
        )
        focus = ", ".join(topics[s].name.lower() for s, _ in topics_and_levels[:3])
        profile = _profile(
            user,
            display_name=name,
            headline=f"{role.title} · {site}",
            timezone=tz,
            site=site,
            languages=extra,
            tags=sorted({role.title.split()[0].lower(), site.lower().replace(" ", "-")}),
            bio=f"{role.story} {years} years in the job. Ask me about {focus}.",
        )
        Expertise.objects.bulk_create(
            Expertise(profile=profile, topic=topics[s], level=lvl) for s, lvl in topics_and_levels
        )
        Membership.objects.create(
            program=acme,
            user=user,
            is_mentor=True,
            mentor_status=status,
            is_mentee=rng.random() < 0.15,
        )
        return user

    # The well-known mentor, then 29 more approved, 2 waiting for approval and 1 paused.
    add_mentor(
        "mentor@demo.pairup",
        "Priya Raman",
        ROLES[0],
        0,
        MentorStatus.APPROVED,
        11,
        [
            ("negotiating-an-offer", "expert"),
            ("data-analysis", "expert"),
            ("sql", "experienced"),
            ("interview-prep", "experienced"),
            ("machine-learning", "familiar"),
        ],
    )
    used.add("Priya Raman")
    statuses = [MentorStatus.APPROVED] * 29 + [MentorStatus.PENDING] * 2 + [MentorStatus.PAUSED]
    for i, status in enumerate(statuses):
        role = ROLES[i % len(ROLES)]
        picked = rng.sample(role.topics, k=min(len(role.topics), rng.randint(2, 4)))
        add_mentor(
            f"mentor{i + 1:02d}@demo.pairup",
            _name(rng, used),
            role,
            i % 3,
            status,
            rng.randint(3, 22),
            [(s, rng.choice(LEVELS)) for s in picked],
        )

    def add_mentee(email: str, name: str, i: int) -> User:
        site, tz, langs = SITES[i % 3]
        user = _user(email, password_hash)
        headline = MENTEE_HEADLINES[i % len(MENTEE_HEADLINES)]
        profile = _profile(
            user,
            display_name=name,
            headline=f"{headline} · {site}",
            timezone=tz,
            site=site,
            languages=langs[: 1 + (i % 2)],
            bio="Early in my career here and keen to learn from colleagues at other sites.",
        )
        profile.goals.set([topics[s] for s in rng.sample(MENTEE_GOALS, k=rng.randint(1, 3))])
        Membership.objects.create(program=acme, user=user, is_mentee=True)
        return user

    mentee = add_mentee("mentee@demo.pairup", "Sam Okoye", 1)
    used.add("Sam Okoye")
    mentee.profile.goals.set([topics["negotiating-an-offer"], topics["public-speaking"]])
    for i in range(79):
        add_mentee(f"mentee{i + 1:02d}@demo.pairup", _name(rng, used), i)

    # A second program: its members must see nothing of Acme, and Acme nothing of it.
    globex = Program.objects.create(
        name="Globex Mentors",
        slug=OTHER_SLUG,
        description="Globex's own program.",
        session_lengths=[30],
        max_sessions_per_engagement=1,
        mentor_monthly_cap=2,
        mentors_need_approval=False,
        invite_code="globex-demo-invite",
    )
    outsider = _user("outsider@demo.pairup", password_hash)
    _profile(
        outsider,
        display_name="Olivia Stone",
        headline="Engineer at Globex",
        timezone="Europe/Berlin",
        site="Berlin",
        languages=["en", "de"],
    )
    Membership.objects.create(program=globex, user=outsider, is_mentee=True, is_admin=True)
    for i in range(5):
        u = _user(f"globex{i + 1}@demo.pairup", password_hash)
        p = _profile(
            u,
            display_name=_name(rng, used),
            headline="Globex mentor",
            timezone="Europe/Berlin",
            site="Berlin",
            languages=["de", "en"],
        )
        Expertise.objects.create(profile=p, topic=topics["public-speaking"], level="expert")
        Membership.objects.create(
            program=globex, user=u, is_mentor=True, mentor_status=MentorStatus.APPROVED
        )
    _demo_history(rng, acme, topics)
    _demo_availability(acme)
    _demo_active_engagement(acme, topics)
    return True


# Weekday windows (local wall clock) a demo mentor offers; each mentor gets one pattern and
# one weekday without sessions, chosen by position, so the demo is the same on every run.
WINDOW_PATTERNS = [
    ((9, 0, 12, 0), (14, 0, 17, 0)),
    ((8, 30, 10, 30), (13, 0, 15, 0), (16, 0, 18, 0)),
    ((10, 0, 12, 30), (15, 0, 17, 30)),
    ((7, 30, 9, 0), (12, 0, 13, 30), (17, 0, 19, 0)),
    ((11, 0, 14, 0), (16, 30, 18, 30)),
]


def _demo_availability(program: Program) -> None:
    """Every mentor of the demo program offers weekday windows in their own zone."""
    from datetime import time

    from pairup.availability.services import availability_set

    mentors = (
        Membership.objects.filter(program=program, is_mentor=True)
        .select_related("user__profile")
        .order_by("pk")
    )
    for i, membership in enumerate(mentors):
        pattern = WINDOW_PATTERNS[i % len(WINDOW_PATTERNS)]
        # The well-known demo mentor (first) works every weekday; others skip one.
        rest = None if i == 0 else (i * 2) % 5
        availability_set(
            user=membership.user,
            timezone_name=membership.user.profile.timezone,
            weekly=[
                (day, time(h1, m1), time(h2, m2))
                for day in range(5)
                if day != rest
                for h1, m1, h2, m2 in pattern
            ],
            buffer_minutes=(10, 15, 5)[i % 3],
            min_notice_minutes=12 * 60,
            horizon_days=30,
            weekly_cap=(None, 3, 5)[i % 3],
        )


def _demo_active_engagement(program: Program, topics: dict[str, Topic]) -> None:
    """The demo mentee's accepted ask: an active engagement with sessions still to book."""
    from django.utils import timezone

    from pairup.asks.models import Ask, Engagement, Invitation

    now = timezone.now()
    mentee = User.objects.get(email="mentee@demo.pairup")
    mentor = (
        Membership.objects.filter(
            program=program,
            is_mentor=True,
            mentor_status=MentorStatus.APPROVED,
            user__profile__expertise__topic__slug="public-speaking",
        )
        .exclude(user__email="mentor@demo.pairup")
        .order_by("pk")
        .first()
    )
    assert mentor is not None, "the demo has a public-speaking mentor"
    ask = Ask.objects.create(
        program=program,
        mentee=mentee,
        kind="skill",
        format="video",
        duration=30,
        sessions=2,
        question="How do I structure a 10-minute talk for our team all-hands next month?",
        tried="I have a rough outline but it runs to 25 minutes and I lose the thread.",
        status="engaged",
    )
    ask.topics.set([topics["public-speaking"]])
    Invitation.objects.create(
        ask=ask,
        mentor=mentor.user,
        status="accepted",
        rank=0,
        created_at=now,
        responded_at=now,
        reasons=["Knows public speaking (expert)"],
    )
    Engagement.objects.create(
        ask=ask,
        program=program,
        mentee=mentee,
        mentor=mentor.user,
        sessions_agreed=2,
        status="active",
        created_at=now,
    )


def _demo_history(rng: random.Random, program: Program, topics: dict[str, Topic]) -> None:
    """Past engagements (with ratings and thanks), one open ask waiting on the demo mentor,
    so every dashboard has something true to show."""
    from datetime import timedelta

    from django.utils import timezone

    from pairup.asks.models import Ask, Engagement, Feedback, Invitation, ThankYou

    now = timezone.now()
    mentors = list(
        Membership.objects.filter(
            program=program, is_mentor=True, mentor_status=MentorStatus.APPROVED
        )
        .select_related("user__profile")
        .prefetch_related("user__profile__expertise__topic")
        .order_by("pk")
    )
    mentees = list(
        Membership.objects.filter(program=program, is_mentee=True, is_mentor=False)
        .select_related("user")
        .order_by("pk")
    )
    demo_mentee = next(m.user for m in mentees if m.user.email == "mentee@demo.pairup")
    for i, mentor in enumerate(mentors):
        slugs = [
            e.topic.slug
            for e in mentor.user.profile.expertise.all()
            if e.topic.slug in PAST_QUESTIONS
        ]
        for j in range(min(len(slugs), 2 + i % 3)):
            slug = slugs[j % len(slugs)]
            mentee = rng.choice(mentees).user
            when = now - timedelta(days=40 + rng.randint(0, 120))
            ask = Ask.objects.create(
                program=program,
                mentee=mentee,
                question=rng.choice(PAST_QUESTIONS[slug]),
                duration=30,
                sessions=1,
                status="closed",
            )
            ask.topics.set([topics[slug]])
            Ask.objects.filter(pk=ask.pk).update(created_at=when)
            Invitation.objects.create(
                ask=ask,
                mentor=mentor.user,
                status="accepted",
                created_at=when,
                responded_at=when + timedelta(hours=rng.randint(1, 30)),
            )
            engagement = Engagement.objects.create(
                ask=ask,
                program=program,
                mentee=mentee,
                mentor=mentor.user,
                sessions_agreed=1,
                status="completed",
                created_at=when,
                closed_at=when + timedelta(days=7),
            )
            Feedback.objects.create(
                engagement=engagement,
                author=mentee,
                role="mentee",
                rating=rng.choice([4, 5, 5, 3]),
                applied="I tried it the next week.",
                shared=True,
                created_at=when + timedelta(days=7),
            )
            if (i + j) % 3 == 0:
                ThankYou.objects.create(
                    engagement=engagement,
                    body="Thank you, that conversation really helped.",
                    on_profile=True,
                    created_at=when + timedelta(days=7),
                )
    # An open ask of the demo mentee, waiting on the demo mentor's answer.
    demo_mentor = next(m.user for m in mentors if m.user.email == "mentor@demo.pairup")
    ask = Ask.objects.create(
        program=program,
        mentee=demo_mentee,
        kind="advice",
        format="video",
        duration=30,
        sessions=2,
        question="How do I negotiate equity and a signing bonus in my first data-science offer?",
        tried="I read two blog posts and have a first offer in hand; I do not know what is normal.",
        status="open",
    )
    ask.topics.set([topics["negotiating-an-offer"]])
    Invitation.objects.create(
        ask=ask,
        mentor=demo_mentor,
        status="pending",
        rank=0,
        created_at=now,
        expires_at=now + timedelta(hours=program.response_window_hours),
        reasons=["Knows negotiating an offer (expert)"],
    )
