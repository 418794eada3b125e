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
    return True
