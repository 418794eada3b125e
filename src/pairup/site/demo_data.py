"""The demo as data: its people, programs, availability and history, in plain dataclasses.

Nothing here touches the database (no Django import): `build()` turns the fixed lists below
and a seeded random generator into one `Demo`, the same on every run, and the loader
(`pairup.site.demo`) walks it through the services exactly as people would have written it.
Times are relative: a day count before the loader's "now", so the history stays recent.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pairup.topics.taxonomy import read_taxonomy

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


# Weekday windows (local wall clock) a demo mentor offers; each mentor gets one pattern and
# one weekday without sessions, chosen by position, so the demo is the same on every run.
WINDOW_PATTERNS = [
    ((9, 0, 12, 0), (14, 0, 17, 0)),
    ((8, 30, 10, 30), (13, 0, 15, 0), (16, 0, 18, 0)),
    ((10, 0, 12, 30), (15, 0, 17, 30)),
    ((7, 30, 9, 0), (12, 0, 13, 30), (17, 0, 19, 0)),
    ((11, 0, 14, 0), (16, 30, 18, 30)),
]


@dataclass(frozen=True)
class ProgramSpec:
    """A program, created by its first admin (`admin`, an email) with this policy."""

    name: str
    slug: str
    admin: str
    policy: Mapping[str, Any]


@dataclass(frozen=True)
class Person:
    """One account and its profile, as its owner fills in the sign-up and profile forms."""

    email: str
    display_name: str
    headline: str
    timezone: str
    site: str
    languages: tuple[str, ...]
    bio: str = ""
    tags: tuple[str, ...] = ()
    expertise: tuple[tuple[str, str], ...] = ()  # (topic slug, level)
    goals: tuple[str, ...] = ()  # topic slugs


@dataclass(frozen=True)
class Member:
    """`email` joins `program` through its invite; a mentor's `mentor_status` is the admin's
    decision afterwards (None leaves what joining gives)."""

    program: str
    email: str
    as_mentor: bool = False
    as_mentee: bool = False
    mentor_status: str | None = None
    # A mentor who waits for approval answers the program's application questions, in order.
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PoolSpec:
    """A pool of `program` its admin makes and fills with `members` (emails). The demo has
    no match rules: anyone may still be matched with anyone."""

    program: str
    name: str
    kind: str
    members: tuple[str, ...]
    description: str = ""
    self_select: bool = False


@dataclass(frozen=True)
class Weekly:
    """A mentor's availability: weekday windows (day, start, end as (hour, minute)) in
    their own zone."""

    email: str
    timezone: str
    windows: tuple[tuple[int, tuple[int, int], tuple[int, int]], ...]
    buffer_minutes: int
    weekly_cap: int | None
    min_notice_minutes: int = 12 * 60
    horizon_days: int = 30


@dataclass(frozen=True)
class PastEngagement:
    """A closed one-session engagement: asked `days_ago` days before now, accepted
    `answered_after_hours` later, completed by the mentor a week after the ask, then rated
    by the mentee and, when `thanks`, thanked with the note shown on the mentor's profile."""

    program: str
    mentee: str
    mentor: str
    topic: str
    question: str
    days_ago: int
    answered_after_hours: int
    rating: int
    applied: str = "I tried it the next week."
    thanks: str = ""
    # Its session (what the program's insights count): "" none was booked, as the first
    # history had it; "held"; "no_show_mentee" or "no_show_mentor"; "late_cancel" (the
    # mentee cancels two hours before it) or "cancel" (cancelled as soon as booked). `slot`
    # picks among the free times between the acceptance and the wrap-up; `session_rating`
    # is the mentee's one-tap rating of a held session (0: none); `continuing` who proposed
    # to continue afterwards ("", "mentee", or "both").
    session: str = ""
    slot: int = 0
    session_rating: int = 0
    continuing: str = ""


@dataclass(frozen=True)
class PastUnmatched:
    """An ask that found no mentor: `mentor` declines it (`reason`) `answered_after_hours`
    after it was asked, the next suggested mentor is invited automatically, and the mentee
    withdraws the ask `withdrawn_after_hours` after asking."""

    program: str
    mentee: str
    mentor: str
    topic: str
    question: str
    days_ago: int
    answered_after_hours: int
    withdrawn_after_hours: int
    reason: str


@dataclass(frozen=True)
class CurrentAsk:
    """An ask of today: the mentee invites `mentor`, who accepts when `accepted`."""

    program: str
    mentee: str
    mentor: str
    topics: tuple[str, ...]
    kind: str
    format: str
    duration: int
    sessions: int
    question: str
    tried: str
    accepted: bool


@dataclass(frozen=True)
class RoundAsk:
    """An ask a mentee signs up for the program's sign-up round (cohort matching)."""

    mentee: str
    topic: str
    question: str
    sessions: int


SIGNUP_ROUND = "Spring sign-up round"


@dataclass(frozen=True)
class EventSignup:
    """Someone registered for a demo event, `hours_ago` hours before the loader's now."""

    email: str
    role: str  # mentor or mentee
    topics: tuple[str, ...]
    want: str
    hours_ago: int
    languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class FollowUp:
    """After a past event, `mentee` follows up with an ask to a mentor they met there (the
    first of their conversations whose mentor nobody followed up with yet, never the
    well-known mentor): the mentor answers `answered_after_hours` later, accepting (the
    session is held in the week after, then rated and perhaps thanked, as the history's
    engagements) or declining for lack of time (the ask is passed on by itself and the
    mentee withdraws it a day later)."""

    mentee: str
    accepted: bool
    answered_after_hours: int
    rating: int = 5
    session_rating: int = 0
    thanks: str = ""


@dataclass(frozen=True)
class PastEventRun:
    """How a past event went, through the organiser's and the people's own services:
    `cancelled` cancelled their registration three days before; the schedule was solved
    and published the day before; at the door everyone else was checked in but `absent`
    (no-shows, marked absent, then a re-seat); the rounds ran on the live room's clock and
    the organiser ended it. Afterwards each conversation (the seats held, by round) is
    rated by its mentee and its mentor from the cycles of ratings (0: not rated); a mentee
    who rated `stay_in_touch_at` or more says "stay in touch", and the mentor too when
    their own rating is as high (mutual); then the `follow_ups`."""

    cancelled: tuple[str, ...]
    absent: tuple[str, ...]
    mentee_ratings: tuple[int, ...]
    mentor_ratings: tuple[int, ...]
    follow_ups: tuple[FollowUp, ...]
    stay_in_touch_at: int = 5


@dataclass(frozen=True)
class EventSpec:
    """A published event of `program`: its admin creates it `published_days_ago` days ago
    with these settings (`settings`: the kind's fields), publishes it, and people register.
    `days_ahead` and `start` (hour, minute in `timezone`) say when it is (negative: days
    ago, for a past event, which has its `run`)."""

    program: str
    slug: str
    kind: str
    title: str
    description: str
    timezone: str
    days_ahead: int
    start: tuple[int, int]
    minutes: int
    place: str
    topics: tuple[str, ...]
    settings: Mapping[str, Any]
    signups: tuple[EventSignup, ...]
    capacity: int | None = None
    published_days_ago: int = 3
    run: PastEventRun | None = None
    # Roundtables: the topic of each table, in order.
    tables: tuple[str, ...] = ()


SPEED_EVENT = "demo-speed-mentoring"
BUDDY_EVENT = "demo-conference-buddies"
EVENT_WANTS = (
    "Straight talk on what to do next in my career",
    "How to prepare for my first promotion conversation",
    "Advice on moving from analysis into data science",
    "Feedback on how I tell my story in interviews",
    "Someone who has negotiated an offer before",
    "Ideas for growing my network beyond my team",
)


@dataclass(frozen=True)
class StoryAsk:
    """A one-session ask by `mentee` on `topic`, `days_ago` days before now."""

    mentee: str
    topic: str
    question: str
    days_ago: int
    sessions: int = 1


@dataclass(frozen=True)
class Stories:
    """The recent past the health alerts are about, each a small story of the program.

    - `quiet_mentor` has gone quiet: each of `unanswered` invites them, the invitation
      expires after the response window (the cron's `invitations_expire`), the ask is
      passed on to the next suggested mentor by itself, and its mentee, who asked both,
      withdraws it a day later: twice in a month (invitations that keep expiring; a mentee
      whose asks keep failing to match).
    - `board` was posted to the open board and nobody has taken it (an ask waiting longer
      than the response window).
    - `busy_mentor` accepted `busy_asks` (two sessions each) within hours, which left them
      at the program's monthly cap, then lowered their own monthly cap to `own_cap` a day
      later (a mentor over their cap)."""

    quiet_mentor: str
    unanswered: tuple[StoryAsk, ...]
    board: StoryAsk
    busy_mentor: str
    busy_asks: tuple[StoryAsk, ...]
    own_cap: int


@dataclass(frozen=True)
class Demo:
    people: tuple[Person, ...]
    programs: tuple[ProgramSpec, ...]
    members: tuple[Member, ...]
    history: tuple[PastEngagement, ...]
    availability: tuple[Weekly, ...]
    current: tuple[CurrentAsk, ...]
    # The admin who approves or pauses each program's mentors.
    approver: Mapping[str, str] = field(default_factory=dict)
    # Mentor vetting, by program: application questions (text, required), written before
    # anyone joins; the onboarding note and its links ((title, url)), written after the
    # mentors of the history were approved, so they keep taking asks.
    questions: Mapping[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)
    onboarding: Mapping[str, tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    pools: tuple[PoolSpec, ...] = ()
    # Asks signed up for Acme's sign-up round, waiting for the admin's cohort matching.
    signup: tuple[RoundAsk, ...] = ()
    # Published events with their registrations.
    events: tuple[EventSpec, ...] = ()
    # Asks of the last weeks that found no mentor (declined, then withdrawn).
    unmatched: tuple[PastUnmatched, ...] = ()
    # Events held in the last weeks, with how they went.
    past_events: tuple[EventSpec, ...] = ()
    # What the program's health alerts watch for, as it happened lately.
    stories: Stories | None = None


THANKS = "Thank you, that conversation really helped."

ACME = ProgramSpec(
    name="Acme Mentoring",
    slug=DEMO_SLUG,
    admin="admin@demo.pairup",
    policy={
        "description": "Short, focused sessions with colleagues across London, New York and Bengaluru.",
        "session_lengths": [15, 30, 45, 60],
        "max_sessions_per_engagement": 3,
        "mentor_monthly_cap": 4,
        "mentors_need_approval": True,
        "invite_code": "acme-demo-invite",
        # Listed to everyone who signs up on the demo, so a brand-new person can join it.
        "is_open": True,
    },
)
GLOBEX = ProgramSpec(
    name="Globex Mentors",
    slug=OTHER_SLUG,
    admin="outsider@demo.pairup",
    policy={
        "description": "Globex's own program.",
        "session_lengths": [30],
        "max_sessions_per_engagement": 1,
        "mentor_monthly_cap": 2,
        "mentors_need_approval": False,
        "invite_code": "globex-demo-invite",
    },
)

ADMIN = Person(
    email="admin@demo.pairup",
    display_name="Alex Morgan",
    headline="Head of learning, Acme",
    timezone="Europe/London",
    site="London",
    languages=("en",),
    bio="I run Acme's mentoring program. Tell me what would make it better.",
)
OUTSIDER = Person(
    email="outsider@demo.pairup",
    display_name="Olivia Stone",
    headline="Engineer at Globex",
    timezone="Europe/Berlin",
    site="Berlin",
    languages=("en", "de"),
)
# The well-known mentor: first of Acme's mentors, and the one the demo mentee's open ask waits on.
MENTOR_EXPERTISE = (
    ("negotiating-an-offer", "expert"),
    ("data-analysis", "expert"),
    ("sql", "experienced"),
    ("interview-prep", "experienced"),
    ("machine-learning", "familiar"),
)
MENTEE_EMAIL = "mentee@demo.pairup"
MENTOR_EMAIL = "mentor@demo.pairup"

ACME_QUESTIONS = (
    ("Why do you want to mentor colleagues at Acme?", True),
    ("Which asks would you rather not take?", False),
)
ACME_ONBOARDING = (
    "Welcome, and thank you for mentoring at Acme.\n\n"
    "Answer each invitation within two days, even with a no: the ask moves on to the next "
    "mentor. Keep sessions to the time agreed, and keep what you hear in confidence. If a "
    "conversation goes somewhere you are not comfortable with, stop it and tell the "
    "learning team.",
    (
        ("Acme mentoring handbook", "https://example.org/acme/mentoring-handbook"),
        ("How to run a 30-minute session", "https://example.org/acme/short-sessions"),
    ),
)


def _application_answers(role: Role, years: int, focus: str) -> tuple[str, ...]:
    """What a mentor waiting for approval answered (no random draw: the demo's draws stay
    as they were)."""
    return (
        f"{years} years as a {role.title.lower()} taught me most by asking colleagues; "
        f"I would like to give that back, mostly on {focus}.",
        "Anything about salaries at other companies: I do not know enough to help.",
    )


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def topic_names() -> dict[str, str]:
    """Slug → name of the shipped taxonomy (the names bios quote and history is ordered by)."""
    names: dict[str, str] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            names[str(node["slug"])] = str(node["name"])
            walk(node.get("children", []))

    walk(read_taxonomy())
    return names


def build(seed: int = 20261122) -> Demo:
    """The whole demo. The order of the random draws is part of the data: changing it
    changes every generated name, topic and date after it."""
    rng = random.Random(seed)
    names = topic_names()
    used: set[str] = set()
    people: list[Person] = [ADMIN]
    members: list[Member] = []
    mentors: list[Person] = []  # Acme's, in joining order

    def mentor(
        email: str,
        name: str,
        role: Role,
        site_index: int,
        status: str,
        years: int,
        expertise: list[tuple[str, str]],
    ) -> None:
        site, tz, langs = SITES[site_index]
        extra = sorted(
            set(langs)
            | ({"fr"} if rng.random() < 0.2 else set())
            | ({"de"} if rng.random() < 0.1 else set())
        )
        focus = ", ".join(names[s].lower() for s, _ in expertise[:3])
        person = Person(
            email=email,
            display_name=name,
            headline=f"{role.title} · {site}",
            timezone=tz,
            site=site,
            languages=tuple(extra),
            tags=tuple(sorted({role.title.split()[0].lower(), site.lower().replace(" ", "-")})),
            bio=f"{role.story} {years} years in the job. Ask me about {focus}.",
            expertise=tuple(expertise),
        )
        people.append(person)
        mentors.append(person)
        members.append(
            Member(
                DEMO_SLUG,
                email,
                as_mentor=True,
                as_mentee=rng.random() < 0.15,
                mentor_status=status,
                answers=_application_answers(role, years, focus) if status == "pending" else (),
            )
        )

    # The well-known mentor, then 29 more approved, 2 waiting for approval and 1 paused.
    mentor(MENTOR_EMAIL, "Priya Raman", ROLES[0], 0, "approved", 11, list(MENTOR_EXPERTISE))
    used.add("Priya Raman")
    statuses = ["approved"] * 29 + ["pending"] * 2 + ["paused"]
    for i, status in enumerate(statuses):
        role = ROLES[i % len(ROLES)]
        picked = rng.sample(role.topics, k=min(len(role.topics), rng.randint(2, 4)))
        mentor(
            f"mentor{i + 1:02d}@demo.pairup",
            _name(rng, used),
            role,
            i % 3,
            status,
            rng.randint(3, 22),
            [(s, rng.choice(LEVELS)) for s in picked],
        )

    mentees: list[Person] = []

    def mentee(email: str, name: str, i: int, goals: tuple[str, ...] | None = None) -> None:
        site, tz, langs = SITES[i % 3]
        drawn = tuple(rng.sample(MENTEE_GOALS, k=rng.randint(1, 3)))
        person = Person(
            email=email,
            display_name=name,
            headline=f"{MENTEE_HEADLINES[i % len(MENTEE_HEADLINES)]} · {site}",
            timezone=tz,
            site=site,
            languages=tuple(langs[: 1 + (i % 2)]),
            bio="Early in my career here and keen to learn from colleagues at other sites.",
            goals=goals if goals is not None else drawn,
        )
        people.append(person)
        mentees.append(person)
        members.append(Member(DEMO_SLUG, email, as_mentee=True))

    mentee(MENTEE_EMAIL, "Sam Okoye", 1, goals=("negotiating-an-offer", "public-speaking"))
    used.add("Sam Okoye")
    for i in range(79):
        mentee(f"mentee{i + 1:02d}@demo.pairup", _name(rng, used), i)

    # Acme's sites as pools, everyone in theirs (no rules: matching is as without them),
    # and an initiative its members choose themselves. Built from the lists, no random
    # draw: the draws after this point stay as they were.
    acme_people = [ADMIN, *mentors, *mentees]
    pools = tuple(
        PoolSpec(
            DEMO_SLUG,
            site,
            "site",
            tuple(p.email for p in acme_people if p.site == site),
            description=f"Everyone based in {site}",
        )
        for site, _, _ in SITES
    ) + (
        PoolSpec(
            DEMO_SLUG,
            "Graduate intake",
            "initiative",
            tuple(p.email for p in mentees[2::6]),
            description="Joined Acme from university this year",
            self_select=True,
        ),
    )

    # A second program: its members must see nothing of Acme, and Acme nothing of it.
    people.append(OUTSIDER)
    members.append(Member(OTHER_SLUG, OUTSIDER.email, as_mentee=True))
    for i in range(5):
        email = f"globex{i + 1}@demo.pairup"
        people.append(
            Person(
                email=email,
                display_name=_name(rng, used),
                headline="Globex mentor",
                timezone="Europe/Berlin",
                site="Berlin",
                languages=("de", "en"),
                expertise=(("public-speaking", "expert"),),
            )
        )
        members.append(Member(OTHER_SLUG, email, as_mentor=True))

    # Past engagements give mentors a history: the engine's best evidence of what they help
    # with. Each approved mentor has two to four, on the topics they know best.
    status_of = {m.email: m.mentor_status for m in members if m.program == DEMO_SLUG}
    approved = [p for p in mentors if status_of[p.email] == "approved"]
    history: list[PastEngagement] = []
    for i, person in enumerate(approved):
        slugs = sorted(
            (s for s, _ in person.expertise if s in PAST_QUESTIONS), key=lambda s: names[s]
        )
        for j in range(min(len(slugs), 2 + i % 3)):
            slug = slugs[j % len(slugs)]
            who = rng.choice(mentees).email
            days_ago = 40 + rng.randint(0, 120)
            question = rng.choice(PAST_QUESTIONS[slug])
            hours = rng.randint(1, 30)
            history.append(
                PastEngagement(
                    program=DEMO_SLUG,
                    mentee=who,
                    mentor=person.email,
                    topic=slug,
                    question=question,
                    days_ago=days_ago,
                    answered_after_hours=hours,
                    rating=rng.choice([4, 5, 5, 3]),
                    thanks=THANKS if (i + j) % 3 == 0 else "",
                )
            )

    # Every Acme mentor offers weekday windows in their own zone: one pattern each and one
    # weekday off, chosen by position; the well-known mentor works every weekday.
    availability = tuple(
        Weekly(
            email=person.email,
            timezone=person.timezone,
            windows=tuple(
                (day, (h1, m1), (h2, m2))
                for day in range(5)
                if day != (None if i == 0 else (i * 2) % 5)
                for h1, m1, h2, m2 in WINDOW_PATTERNS[i % len(WINDOW_PATTERNS)]
            ),
            buffer_minutes=(10, 15, 5)[i % 3],
            weekly_cap=(None, 3, 5)[i % 3],
        )
        for i, person in enumerate(mentors)
    )

    # Today: the demo mentee's open ask waits on the well-known mentor's answer, and an
    # earlier one was accepted by the first other mentor who knows public speaking.
    speaker = next(
        p
        for p in approved
        if p.email != MENTOR_EMAIL and any(s == "public-speaking" for s, _ in p.expertise)
    )
    current = (
        CurrentAsk(
            program=DEMO_SLUG,
            mentee=MENTEE_EMAIL,
            mentor=MENTOR_EMAIL,
            topics=("negotiating-an-offer",),
            kind="advice",
            format="video",
            duration=30,
            sessions=2,
            question="How do I negotiate equity and a signing bonus in my first data-science offer?",
            tried="I read two blog posts and have a first offer in hand; I do not know what is normal.",
            accepted=False,
        ),
        CurrentAsk(
            program=DEMO_SLUG,
            mentee=MENTEE_EMAIL,
            mentor=speaker.email,
            topics=("public-speaking",),
            kind="skill",
            format="video",
            duration=30,
            sessions=2,
            question="How do I structure a 10-minute talk for our team all-hands next month?",
            tried="I have a rough outline but it runs to 25 minutes and I lose the thread.",
            accepted=True,
        ),
    )
    # Thirty mentees signed an ask up for the sign-up round, each on a goal of theirs the
    # mentors have helped with before; drawn from a generator of its own, so nothing above
    # changes.
    draw = random.Random(seed + 1)
    signup = []
    for n, person in enumerate(mentees[1:31]):
        known = [g for g in person.goals if g in PAST_QUESTIONS] or sorted(PAST_QUESTIONS)
        topic = draw.choice(known)
        signup.append(
            RoundAsk(
                mentee=person.email,
                topic=topic,
                question=draw.choice(PAST_QUESTIONS[topic]),
                sessions=2 if n % 4 == 3 else 1,
            )
        )
    events = _events([p for p in mentors if status_of[p.email] == "approved"], mentees)
    # Sessions, outcomes, recent weeks and asks that found no mentor, for the program's
    # insights: drawn from a generator of their own, so nothing above changes.
    history, unmatched = _insights_history(history, approved, mentees, names, seed)
    # The last weeks' event and the stories of the health alerts, around that history and
    # with no random draw, so nothing above changes.
    asks = _asks_by_mentor(approved, history, unmatched)
    past_events = _past_events(approved, mentees, asks)
    stories = _stories(
        approved,
        mentees,
        history,
        unmatched,
        asks,
        names,
        caps={w.email: w.weekly_cap for w in availability},
        taken={
            current[1].mentor,
            *(s.email for e in (*events, *past_events) for s in e.signups),
        },
    )
    return Demo(
        people=tuple(people),
        programs=(ACME, GLOBEX),
        members=tuple(members),
        history=tuple(history),
        unmatched=tuple(unmatched),
        availability=availability,
        current=current,
        approver={DEMO_SLUG: ADMIN.email, OTHER_SLUG: OUTSIDER.email},
        questions={DEMO_SLUG: ACME_QUESTIONS},
        onboarding={DEMO_SLUG: ACME_ONBOARDING},
        pools=pools,
        signup=tuple(signup),
        events=events,
        past_events=past_events,
        stories=stories,
    )


def _signup(
    person: Person, role: str, offer: tuple[str, ...], n: int, hours_ago: int
) -> EventSignup:
    """A registration from the person's own topics within the event's offer (no random
    draw: the demo's draws stay as they were)."""
    own = [s for s, _ in person.expertise] if role == "mentor" else list(person.goals)
    topics = tuple(t for t in offer if t in own)[:2] or (offer[n % len(offer)],)
    want = "" if role == "mentor" else EVENT_WANTS[n % len(EVENT_WANTS)]
    return EventSignup(person.email, role, topics, want, hours_ago)


def _events(approved: list[Person], mentees: list[Person]) -> tuple[EventSpec, ...]:
    """Acme's two published events: speed mentoring in two weeks, where 12 mentees and 4
    mentors share English (4 rounds: an even spread of sit-outs is possible), and
    conference buddies in a month with more mentees than mentors (7 and 3: trios)."""
    speed_offer = (
        "negotiating-an-offer",
        "interview-prep",
        "career-goals",
        "data-analysis",
        "public-speaking",
        "networking",
    )
    speed_mentors = approved[:4]  # the well-known mentor first
    speed_mentees = mentees[:12]  # the well-known mentee first
    speed = EventSpec(
        program=DEMO_SLUG,
        slug=SPEED_EVENT,
        kind="speed_mentoring",
        title="Speed mentoring: career moves",
        description=(
            "Four ten-minute conversations with four mentors, one after the other. Bring "
            "one question about your next career move; leave with four answers.\n\n"
            "Tea and biscuits in the atrium afterwards."
        ),
        timezone="Europe/London",
        days_ahead=14,
        start=(17, 0),
        minutes=60,
        place="Atrium, 3rd floor, Acme London office",
        topics=speed_offer,
        settings={"rounds": 4, "round_minutes": 10, "break_minutes": 2, "seats_per_mentor": 1},
        capacity=24,
        signups=tuple(
            [_signup(p, "mentor", speed_offer, n, 60 - 2 * n) for n, p in enumerate(speed_mentors)]
            + [
                _signup(p, "mentee", speed_offer, n, 50 - 3 * n)
                for n, p in enumerate(speed_mentees)
            ]
        ),
    )
    buddy_offer = (
        "career-goals",
        "networking",
        "leading-a-team",
        "public-speaking",
        "negotiating-an-offer",
        "interview-prep",
    )
    buddies = EventSpec(
        program=DEMO_SLUG,
        slug=BUDDY_EVENT,
        kind="conference_buddies",
        title="Acme Summit buddies",
        description=(
            "First time at the Acme Summit? Get a buddy who has been before: someone to "
            "sit with at the keynote, walk the expo with and ask the questions you would "
            "rather not ask in a session."
        ),
        timezone="Europe/London",
        days_ahead=30,
        start=(0, 0),
        minutes=2 * 24 * 60,
        place="ExCeL London",
        topics=buddy_offer,
        settings={"mentees_per_mentor": "auto"},
        signups=tuple(
            [_signup(p, "mentor", buddy_offer, n, 40 - 3 * n) for n, p in enumerate(approved[4:7])]
            + [
                _signup(p, "mentee", buddy_offer, n, 30 - 2 * n)
                for n, p in enumerate(mentees[12:19])
            ]
        ),
    )
    return (speed, buddies)


# What became of a past engagement's session, and how often (of 20).
SESSION_OUTCOMES = (
    ["held"] * 14 + ["no_show_mentee"] * 2 + ["no_show_mentor"] + ["late_cancel"] * 2 + ["cancel"]
)
RECENT_ENGAGEMENTS = 40  # in the last weeks, besides the older history
UNMATCHED_ASKS = 7
# Acme's mentors who take the most asks lately: the "super mentors" of the load chart.
BUSY_MENTORS = 5


def _caps_hold(asks: list[tuple[int, bool]]) -> bool:
    """Whether every ask to one mentor ((days ago, with a session)) leaves room under
    Acme's caps, on any calendar: the sessions of other asks within 45 days of an ask (its
    session falls in the week after it, so these are all that can share a calendar month
    with its invitation or its session) number at most 3 (the monthly cap is 4), and those
    within 21 days at most 2 (the lowest weekly cap is 3)."""
    for i, (day, _) in enumerate(asks):
        others = [d for j, (d, booked) in enumerate(asks) if booked and j != i]
        if (
            sum(abs(day - d) <= 45 for d in others) > 3
            or sum(abs(day - d) <= 21 for d in others) > 2
        ):
            return False
    return True


def _insights_history(
    history: list[PastEngagement],
    approved: list[Person],
    mentees: list[Person],
    names: dict[str, str],
    seed: int,
) -> tuple[list[PastEngagement], list[PastUnmatched]]:
    """The history with its sessions and outcomes, more engagements in the last weeks
    (most with a few busy mentors), and asks that found no mentor. A session is given only
    where every mentor stays under Acme's caps whatever today's date (`_caps_hold`), so the
    demo loads the same rows every day. The well-known mentor and mentee get nothing new:
    their load and their dashboards stay as the demo's contract says."""
    draw = random.Random(seed + 2)
    asks: dict[str, list[tuple[int, bool]]] = {p.email: [] for p in approved}
    for past in history:
        asks[past.mentor].append((past.days_ago, False))

    def session_fits(mentor: str, day: int, booked: bool) -> bool:
        return _caps_hold([*asks[mentor], (day, booked)])

    def outcome() -> dict[str, Any]:
        session = draw.choice(SESSION_OUTCOMES)
        rated = session == "held" and draw.random() < 0.7
        roll = draw.random()
        return {
            "session": session,
            "slot": draw.randrange(50),
            "session_rating": draw.choice([5, 5, 4, 4, 3, 5, 2]) if rated else 0,
            "continuing": "both" if roll < 0.12 else "mentee" if roll < 0.3 else "",
        }

    out = []
    for past in sorted(history, key=lambda p: -p.days_ago):
        extra = outcome()
        entry = asks[past.mentor]
        at = entry.index((past.days_ago, False))
        entry[at] = (past.days_ago, True)
        if not _caps_hold(entry):
            entry[at] = (past.days_ago, False)
            extra = {"session": ""}
        out.append(replace(past, **extra))

    others = [p for p in approved if p.email != MENTOR_EMAIL]
    busy = {p.email for p in draw.sample(others, BUSY_MENTORS)}
    weights = [20 if p.email in busy else 1 for p in others]
    people = [p for p in mentees if p.email != MENTEE_EMAIL]
    for _ in range(RECENT_ENGAGEMENTS):
        day = draw.randint(8, 38)
        extra = outcome()
        booked = bool(extra["session"])
        free = [
            (p, w)
            for p, w in zip(others, weights, strict=True)
            if session_fits(p.email, day, booked)
        ]
        if not free:
            continue
        mentor = draw.choices([p for p, _ in free], [w for _, w in free])[0]
        known = sorted(
            (s for s, _ in mentor.expertise if s in PAST_QUESTIONS), key=lambda s: names[s]
        )
        if not known:
            continue
        topic = draw.choice(known)
        asks[mentor.email].append((day, booked))
        out.append(
            PastEngagement(
                program=DEMO_SLUG,
                mentee=draw.choice(people).email,
                mentor=mentor.email,
                topic=topic,
                question=draw.choice(PAST_QUESTIONS[topic]),
                days_ago=day,
                answered_after_hours=draw.randint(1, 30),
                rating=draw.choice([5, 4, 5, 3, 4, 2]),
                thanks=THANKS if draw.random() < 0.35 else "",
                **extra,
            )
        )

    unmatched = []
    for _ in range(UNMATCHED_ASKS):
        day = draw.randint(6, 60)
        invitable = [p for p in others if session_fits(p.email, day, False)]
        mentor = draw.choice(invitable)
        known = sorted(
            (s for s, _ in mentor.expertise if s in PAST_QUESTIONS), key=lambda s: names[s]
        )
        topic = draw.choice(known)
        answered = draw.randint(2, 30)
        asks[mentor.email].append((day, False))
        unmatched.append(
            PastUnmatched(
                program=DEMO_SLUG,
                mentee=draw.choice(people).email,
                mentor=mentor.email,
                topic=topic,
                question=draw.choice(PAST_QUESTIONS[topic]),
                days_ago=day,
                answered_after_hours=answered,
                withdrawn_after_hours=answered + draw.randint(2, 20),
                reason=draw.choice(["no_time", "not_my_topic", "no_time"]),
            )
        )
    return out, unmatched


# ---------------------------------------------------------------- the last weeks' stories

PAST_SPEED_EVENT = "demo-speed-mentoring-growing"
PAST_EVENT_DAYS_AGO = 26
PAST_ROUNDTABLES = "demo-roundtables-lunch"
ROUNDTABLES_DAYS_AGO = 54
# Follow-up asks are written the day after the event.
FOLLOW_UP_DAYS_AGO = PAST_EVENT_DAYS_AGO - 1
# The quiet mentor's two invitations, and the ask on the board, asked this many days ago.
UNANSWERED_DAYS_AGO = (22, 12)
BOARD_DAYS_AGO = 4
BUSY_DAYS_AGO = (3, 2)


def _asks_by_mentor(
    approved: list[Person], history: list[PastEngagement], unmatched: list[PastUnmatched]
) -> dict[str, list[tuple[int, bool]]]:
    """Each approved mentor's asks of the history ((days ago, with a session)), as
    `_insights_history` weighed them against the caps."""
    asks: dict[str, list[tuple[int, bool]]] = {p.email: [] for p in approved}
    for past in history:
        asks[past.mentor].append((past.days_ago, bool(past.session)))
    for miss in unmatched:
        asks[miss.mentor].append((miss.days_ago, False))
    return asks


def _past_events(
    approved: list[Person], mentees: list[Person], asks: dict[str, list[tuple[int, bool]]]
) -> tuple[EventSpec, ...]:
    """Acme's speed mentoring of four weeks ago: the well-known mentor and five others
    (each with room under the caps for a follow-up session whatever today's date), the
    well-known mentee and twelve others; one cancelled, two did not come, so ten mentees
    met six mentors in five rounds. Three of them followed up with an ask. And its
    lunchtime roundtables of eight weeks ago (`_roundtables`)."""
    offer = (
        "leading-a-team",
        "giving-feedback",
        "career-goals",
        "public-speaking",
        "promotion",
        "time-management",
    )
    others = [p for p in approved[7:] if _caps_hold([*asks[p.email], (FOLLOW_UP_DAYS_AGO, True)])]
    speakers = [approved[0], *others[:5]]  # the well-known mentor first
    guests = [mentees[0], *mentees[19:31]]  # the well-known mentee first
    published = PAST_EVENT_DAYS_AGO + 14
    run = PastEventRun(
        cancelled=(guests[6].email,),
        absent=(guests[2].email, guests[9].email),
        mentee_ratings=(5, 4, 5, 0, 3, 5, 4, 2, 5, 0, 4, 5),
        mentor_ratings=(4, 0, 5, 5, 0, 3, 0, 4),
        follow_ups=(
            FollowUp(guests[1].email, True, 5, rating=5, session_rating=5, thanks=THANKS),
            FollowUp(guests[4].email, True, 20, rating=4, session_rating=4),
            FollowUp(guests[7].email, False, 30),
        ),
    )
    return (
        EventSpec(
            program=DEMO_SLUG,
            slug=PAST_SPEED_EVENT,
            kind="speed_mentoring",
            title="Speed mentoring: growing in your role",
            description=(
                "Five rounds of ten-minute conversations with mentors who lead teams, give "
                "feedback for a living or went for a promotion lately. Bring one question "
                "about growing where you are."
            ),
            timezone="Europe/London",
            days_ahead=-PAST_EVENT_DAYS_AGO,
            start=(17, 0),
            minutes=75,
            place="Meeting room Thames, 2nd floor, Acme London office",
            topics=offer,
            settings={
                "rounds": 5,
                "round_minutes": 10,
                "break_minutes": 3,
                "seats_per_mentor": 1,
            },
            capacity=30,
            published_days_ago=published,
            signups=tuple(
                [
                    _signup(p, "mentor", offer, n, (published - 1) * 24 - 5 * n)
                    for n, p in enumerate(speakers)
                ]
                + [
                    _signup(p, "mentee", offer, n, (published - 2) * 24 - 11 * n)
                    for n, p in enumerate(guests)
                ]
            ),
            run=run,
        ),
        _roundtables(approved, mentees, asks, taken={p.email for p in speakers}),
    )


def _roundtables(
    approved: list[Person],
    mentees: list[Person],
    asks: dict[str, list[tuple[int, bool]]],
    taken: set[str],
) -> EventSpec:
    """Lunchtime roundtables of eight weeks ago: three hosts, each at a table on a topic
    they know (with room under the caps for a follow-up session), and ten mentees who each
    chose two of the three topics; one did not come. Two rounds: each mentee sits at both
    tables they chose. One followed up with an ask."""
    hosts: list[Person] = []
    tables: list[str] = []
    for person in approved[7:]:
        if person.email in taken or not _caps_hold(
            [*asks[person.email], (ROUNDTABLES_DAYS_AGO - 1, True)]
        ):
            continue
        topic = next((s for s, _ in person.expertise if s not in tables), None)
        if topic is not None:
            hosts.append(person)
            tables.append(topic)
        if len(hosts) == 3:
            break
    guests = mentees[50:60]
    published = ROUNDTABLES_DAYS_AGO + 12
    return EventSpec(
        program=DEMO_SLUG,
        slug=PAST_ROUNDTABLES,
        kind="roundtables",
        title="Lunchtime roundtables",
        description=(
            "Three tables, three topics, two rounds of 25 minutes: sit with a host who "
            "knows the topic and three or four colleagues who chose it too. Lunch provided."
        ),
        timezone="Europe/London",
        days_ahead=-ROUNDTABLES_DAYS_AGO,
        start=(12, 0),
        minutes=75,
        place="Canteen, ground floor, Acme London office",
        topics=tuple(tables),
        tables=tuple(tables),
        settings={"rounds": 2, "round_minutes": 25, "break_minutes": 5, "table_size": 4},
        capacity=20,
        published_days_ago=published,
        signups=tuple(
            [
                EventSignup(p.email, "mentor", (tables[n],), "", (published - 1) * 24 - 7 * n)
                for n, p in enumerate(hosts)
            ]
            + [
                EventSignup(
                    p.email,
                    "mentee",
                    tuple(t for i, t in enumerate(tables) if i != n % len(tables)),
                    EVENT_WANTS[n % len(EVENT_WANTS)],
                    (published - 2) * 24 - 13 * n,
                )
                for n, p in enumerate(guests)
            ]
        ),
        run=PastEventRun(
            cancelled=(),
            absent=(guests[4].email,),
            mentee_ratings=(4, 5, 3, 4, 0, 5, 4),
            mentor_ratings=(0, 4, 5, 0, 3),
            follow_ups=(FollowUp(guests[0].email, True, 8, rating=4, session_rating=5),),
        ),
    )


def _stories(
    approved: list[Person],
    mentees: list[Person],
    history: list[PastEngagement],
    unmatched: list[PastUnmatched],
    asks: dict[str, list[tuple[int, bool]]],
    names: dict[str, str],
    *,
    caps: dict[str, int | None],
    taken: set[str],
) -> Stories:
    """The alerts' stories (`Stories`), told by people the rest of the demo leaves free
    at the time: mentors at no event and not the well-known one; the quiet mentor with no
    ask of the history since a month (nothing answered since), the busy one with none in
    45 days (no session of theirs shares a month with its acceptances, which fit under the
    program's cap of 4 then) and no
    weekly cap of 3 (two asks of two sessions would not fit); mentees at no event, none of
    them in the sign-up round, the one whose asks fail with no ask of the history in the
    last two weeks (no engagement since)."""
    free = [p for p in approved if p.email != MENTOR_EMAIL and p.email not in taken]
    recent: dict[str, int] = {}
    items: list[PastEngagement | PastUnmatched] = [*history, *unmatched]
    for past in items:
        recent[past.mentor] = min(recent.get(past.mentor, 10**6), past.days_ago)
        recent[past.mentee] = min(recent.get(past.mentee, 10**6), past.days_ago)

    def quiet_since(person: Person, days: int) -> bool:
        return recent.get(person.email, 10**6) > days

    def known(person: Person) -> list[str]:
        return sorted(
            (s for s, _ in person.expertise if s in PAST_QUESTIONS), key=lambda s: names[s]
        )

    quiet = next(
        p
        for p in free
        if quiet_since(p, 30)
        and known(p)
        and _caps_hold([*asks[p.email], *((d, False) for d in UNANSWERED_DAYS_AGO)])
    )
    busy = next(
        p for p in free if p is not quiet and quiet_since(p, 45) and known(p) and caps[p.email] != 3
    )
    people = [p for p in mentees[31:] if p.email not in taken]
    failing = next(p for p in people if quiet_since(p, 14))
    rest = [p for p in people if p is not failing]
    topic = known(quiet)[0]
    busy_topics = known(busy)
    board_topic = (
        next(g for g in rest[2].goals if g in PAST_QUESTIONS)
        if any(g in PAST_QUESTIONS for g in rest[2].goals)
        else topic
    )
    return Stories(
        quiet_mentor=quiet.email,
        unanswered=tuple(
            StoryAsk(failing.email, topic, PAST_QUESTIONS[topic][n % len(PAST_QUESTIONS[topic])], d)
            for n, d in enumerate(UNANSWERED_DAYS_AGO)
        ),
        board=StoryAsk(rest[2].email, board_topic, PAST_QUESTIONS[board_topic][0], BOARD_DAYS_AGO),
        busy_mentor=busy.email,
        busy_asks=tuple(
            StoryAsk(
                rest[n].email,
                busy_topics[n % len(busy_topics)],
                PAST_QUESTIONS[busy_topics[n % len(busy_topics)]][0],
                d,
                sessions=2,
            )
            for n, d in enumerate(BUSY_DAYS_AGO)
        ),
        own_cap=3,
    )
