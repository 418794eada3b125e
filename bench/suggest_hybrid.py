"""Cold suggestions for a mentee's ask, lexical against hybrid, on a large program, with
where the time goes.

    # once per database: the demo, a program of N mentors with past asks (bench/load_seed.py)
    # whose texts are made distinct (each its own vector, as in a real program), embedded
    DATABASE_URL=... python bench/suggest_hybrid.py seed --mentors 3000 --mentees 3000 --engagements 15000
    DATABASE_URL=... pairup embed --program bench-load
    # the timing: `suggest_mentors` (uncached: what a cold page pays) for --asks open asks,
    # the modes interleaved ask by ask so both see the same machine
    DATABASE_URL=... python bench/suggest_hybrid.py run --asks 30 --runs 2

The model is loaded and every vector stored before the timing, as on a server after its
first match. Phases are timed by wrapping the functions `suggest_mentors` calls (the real
code path): eligibility, responsiveness, records (the mentors' engine records: profiles,
past asks, free windows), semantic (the mentors' semantic index; within it, reading the
vectors from the database), index (the lexical `MentorIndex`), recommend (scoring, with
embedding the ask). Wall and CPU time of this process per phase (the database server's
own CPU is not in the CPU column).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

PHASES = ("eligible", "responsiveness", "records", "semantic", "fetch", "index", "recommend")


def seed(args: argparse.Namespace) -> None:
    from django.db import transaction

    from load_seed import PROGRAM_SLUG
    from load_seed import seed as load_seed
    from pairup.accounts.models import Profile
    from pairup.asks.models import Ask
    from pairup.programs.models import Program
    from pairup.site.demo import demo_load

    if Program.objects.filter(slug=PROGRAM_SLUG).exists():
        raise SystemExit(f"the program {PROGRAM_SLUG!r} exists already")
    t0 = time.perf_counter()
    demo_load()
    load_seed(mentors=args.mentors, mentees=args.mentees, engagements=args.engagements)
    # load_seed's texts come from a few templates (many asks share one text, hence one
    # vector); a real program's are all different: one clause more makes each distinct.
    with transaction.atomic():
        program = Program.objects.get(slug=PROGRAM_SLUG)
        past = list(Ask.objects.filter(program=program).exclude(status="open").order_by("pk"))
        for n, ask in enumerate(past):
            ask.question = f"{ask.question} (situation {n + 1})"
        Ask.objects.bulk_update(past, ["question"], batch_size=1000)
        profiles = list(
            Profile.objects.filter(
                user__memberships__program=program, user__memberships__is_mentor=True
            ).order_by("pk")
        )
        for n, p in enumerate(profiles):
            p.bio = f"{p.bio} Mentor number {n + 1}."
        Profile.objects.bulk_update(profiles, ["bio"], batch_size=1000)
    print(
        f"seeded {args.mentors} mentors, {args.mentees} mentees, {args.engagements} past asks "
        f"in {time.perf_counter() - t0:.0f} s"
    )


class Phases:
    """Wall and CPU seconds per phase of the current suggestion."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c

        return timed


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(args: argparse.Namespace) -> None:
    from load_seed import PROGRAM_SLUG
    from pairup.asks.matching import suggestions
    from pairup.asks.models import Ask, AskStatus
    from pairup.core import vectors
    from pairup.core.vectors import relevance_backend

    program = args.program or PROGRAM_SLUG
    asks = list(
        Ask.objects.filter(program__slug=program, status=AskStatus.OPEN)
        .select_related("program", "mentee__profile")
        .order_by("pk")[: args.asks]
    )
    if not asks:
        raise SystemExit(f"no open ask in the program {program!r}")
    os.environ["PAIRUP_RELEVANCE"] = "hybrid"
    if relevance_backend() is None:
        raise SystemExit("the sentence-embedding model is not installed: nothing to compare")
    phases = Phases()
    for name, target in (
        ("eligible", "eligible_mentors"),
        ("responsiveness", "responsiveness"),
        ("records", "mentor_records"),
        ("semantic", "semantic_for"),
        ("index", "MentorIndex"),
        ("recommend", "recommend"),
    ):
        if hasattr(suggestions, target):
            setattr(suggestions, target, phases.wrap(name, getattr(suggestions, target)))
    store = vectors.DatabaseVectorStore
    store.get_many = phases.wrap("fetch", store.get_many)  # type: ignore[method-assign]

    t0 = time.perf_counter()
    suggestions.suggest_mentors(asks[0])  # the model loaded, each ask's vector stored
    print(f"first suggestion (loads the model): {time.perf_counter() - t0:.1f} s")
    for ask in asks:
        suggestions.suggest_mentors(ask)
    modes = ("lexical", "hybrid")
    total: dict[str, list[float]] = {m: [] for m in modes}
    cpu: dict[str, list[float]] = {m: [] for m in modes}
    parts: dict[str, dict[str, list[float]]] = {m: {p: [] for p in PHASES} for m in modes}
    parts_cpu: dict[str, dict[str, list[float]]] = {m: {p: [] for p in PHASES} for m in modes}
    load = []
    for _ in range(args.runs):
        for ask in asks:
            for mode in modes:
                os.environ["PAIRUP_RELEVANCE"] = mode
                phases.wall.clear()
                phases.cpu.clear()
                w, c = time.perf_counter(), time.process_time()
                suggestions.suggest_mentors(ask)
                total[mode].append(time.perf_counter() - w)
                cpu[mode].append(time.process_time() - c)
                for p in PHASES:
                    parts[mode][p].append(phases.wall.get(p, 0.0))
                    parts_cpu[mode][p].append(phases.cpu.get(p, 0.0))
        load.append(os.getloadavg()[0])
    n = len(total["lexical"])
    print(
        f"program {program}: {len(asks)} asks x {args.runs} runs = {n} suggestions per mode; "
        f"load average {min(load):.1f}-{max(load):.1f}"
    )
    print("ms, median (p95)      " + "  ".join(f"{p:>15}" for p in ("total", *PHASES)))
    for mode in modes:
        for label, tot, ph in (("wall", total, parts), ("cpu", cpu, parts_cpu)):
            cells = [tot[mode], *(ph[mode][p] for p in PHASES)]
            print(
                f"{mode:8} {label:4}         "
                + "  ".join(
                    f"{statistics.median(v) * 1000:6.1f} ({pct(v, 0.95) * 1000:6.1f})"
                    for v in cells
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--mentors", type=int, default=300)
    s.add_argument("--mentees", type=int, default=1500)
    s.add_argument("--engagements", type=int, default=1500)
    r = sub.add_parser("run")
    r.add_argument("--program", help="its slug (default: load_seed's program)")
    r.add_argument("--asks", type=int, default=30)
    r.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    import django

    django.setup()
    {"seed": seed, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
