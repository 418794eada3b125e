"""`pairup recommend|match|rotate|tables|buddies`: the engine on plain files, without Django.

Input is JSON Lines or CSV (by extension); output is JSON Lines unless `--format csv` or an
`--out` ending in `.csv`. Bad input exits with code 2 and `FILE:LINE: field 'x': problem`;
so does an `--out` (or `--dump-scores`) whose folder does not exist, checked before any work.
Output is written to a temp file and renamed, so nothing partial is ever left behind.
A progress bar shows on a terminal (stderr is a tty) and stays quiet when piped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pairup.engine.embedding import MODES
from pairup.engine.io import InputError, check_output, read_asks, read_mentors, write_atomic
from pairup.engine.records import Ask, Mentor, Policy

if TYPE_CHECKING:
    from pairup.engine.semantic import SemanticIndex

T = TypeVar("T")


def progress(items: Iterable[T], total: int, desc: str) -> Iterator[T]:
    """A tqdm bar on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, file=sys.stderr, leave=False)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pairup", description="PairUp matching engine")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--mentors", required=True, type=Path)
        sp.add_argument("--policy", type=Path, help="policy JSON (see docs/matching.md)")
        sp.add_argument("--out", help="output file (default: stdout)")
        sp.add_argument("--format", choices=("jsonl", "csv"), help="default: by --out extension")
        sp.add_argument("--now", help="ISO time the availability horizon starts from")
        sp.add_argument(
            "--relevance",
            choices=MODES,
            help="hybrid: sentence embeddings with the lexical score (default where the model "
            "is installed and PAIRUP_RELEVANCE is not 'lexical'); lexical: words only",
        )

    r = sub.add_parser("recommend", help="the k best mentors for each ask")
    common(r)
    r.add_argument("--asks", required=True, type=Path)
    r.add_argument("--k", type=int, default=10)
    m = sub.add_parser("match", help="exact best assignment of asks to mentors")
    common(m)
    m.add_argument("--asks", required=True, type=Path)
    m.add_argument("--dump-scores", help="write every eligible pair as CSV ask,mentor,score")
    m.add_argument(
        "--workers",
        type=_positive,
        help="threads scoring in parallel (default: one per core for 2,000+ asks)",
    )
    ro = sub.add_parser("rotate", help="speed-mentoring rounds")
    common(ro)
    ro.add_argument("--mentees", required=True, type=Path)
    ro.add_argument("--rounds", required=True, type=int)
    ro.add_argument("--seats", type=int, default=1)
    t = sub.add_parser("tables", help="roundtables by topic")
    common(t)
    t.add_argument("--mentees", required=True, type=Path)
    t.add_argument("--table-size", required=True, type=int)
    b = sub.add_parser("buddies", help="conference buddies: a mentor for each mentee")
    common(b)
    b.add_argument("--mentees", required=True, type=Path)
    b.add_argument(
        "--share",
        choices=("1", "2", "auto"),
        default="auto",
        help="mentees per mentor: 1, up to 2, or 2 only when mentors are short (default)",
    )
    return p


def _fmt(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    return "csv" if args.out and str(args.out).lower().endswith(".csv") else "jsonl"


def _policy(args: argparse.Namespace) -> Policy:
    policy = Policy()
    if args.policy:
        try:
            policy = Policy.from_json(args.policy)
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(f"{args.policy}: {exc}") from exc
    if args.now:
        try:
            now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"--now: bad time {args.now!r}") from None
        from dataclasses import replace
        from datetime import UTC

        policy = replace(policy, now=now if now.tzinfo else now.replace(tzinfo=UTC))
    return policy


def main(argv: list[str]) -> int:
    """Entry point; argv[0] is the sub-command name. Returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        # Outputs first: a typo in --out must not cost a long run, nor leave --dump-scores
        # written beside a failed --out.
        check_output(args.out, "--out")
        check_output(getattr(args, "dump_scores", None), "--dump-scores")
        policy = _policy(args)
        mentors = read_mentors(args.mentors)
        if args.command in ("recommend", "match"):
            asks = read_asks(args.asks)
        else:
            asks = read_asks(args.mentees)
        for name in ("k", "rounds", "seats", "table_size"):
            value = getattr(args, name, None)
            if value is not None and value < (0 if name == "k" else 1):
                raise InputError(f"--{name.replace('_', '-')}: must be positive, got {value}")
        semantic = _semantic(args, mentors)
    except InputError as exc:
        print(f"pairup {args.command}: {exc}", file=sys.stderr)
        return 2
    handler = {
        "recommend": _recommend,
        "match": _match,
        "rotate": _rotate,
        "tables": _tables,
        "buddies": _buddies,
    }
    return handler[args.command](args, mentors, asks, policy, semantic)


def _semantic(args: argparse.Namespace, mentors: list[Mentor]) -> SemanticIndex | None:
    """The mentors' vectors in hybrid mode (through the on-disk cache), None in lexical
    mode; says on stderr which mode runs. `--relevance hybrid` without the model is an
    input error; without the flag, a missing model falls back to lexical."""
    from pairup.engine import embedding, minilm

    try:
        asked = args.relevance or embedding.requested_mode()
    except ValueError as exc:
        raise InputError(str(exc)) from None
    embedder = None
    if asked == "hybrid":
        try:
            minilm.requested_precision()  # before the model: a cached one would not check
        except ValueError as exc:
            raise InputError(str(exc)) from None
        embedder = embedding.default_embedder()
        if embedder is None and args.relevance == "hybrid":
            raise InputError(
                f"--relevance hybrid: the model is not installed ({minilm.MODEL_PACKAGE} "
                "and sentence-transformers)"
            )
    if embedder is None:
        why = "" if asked == "lexical" else " (the model is not installed)"
        print(f"pairup {args.command}: relevance lexical{why}", file=sys.stderr)
        return None
    from pairup.engine.semantic import semantic_index

    store = embedding.DiskStore()
    print(
        f"pairup {args.command}: relevance hybrid ({embedder.version}, "
        f"vectors cached in {store.root})",
        file=sys.stderr,
    )
    return semantic_index(mentors, embedder, store, progress=progress)


def _recommend(
    args: argparse.Namespace,
    mentors: list[Mentor],
    asks: list[Ask],
    policy: Policy,
    semantic: SemanticIndex | None,
) -> int:
    from pairup.engine.recommend import recommend
    from pairup.engine.scoring import MentorIndex

    index = MentorIndex(mentors, policy, semantic=semantic)
    if semantic is not None:
        # Every ask's vector at once (batched encoding, one cache look-up).
        semantic.ask_vectors([a.text for a in asks])
    fmt = _fmt(args)
    rows: list[dict[str, Any]] = []
    for ask in progress(asks, len(asks), "recommend"):
        found = recommend(ask, index, args.k)
        if fmt == "csv":
            rows.extend(
                {
                    "ask": ask.id,
                    "rank": i + 1,
                    "mentor": s.mentor_id,
                    "score": s.score,
                    "reasons": list(s.reasons),
                }
                for i, s in enumerate(found)
            )
        else:
            rows.append(
                {
                    "ask": ask.id,
                    "mentors": [
                        {"id": s.mentor_id, "score": s.score, "reasons": list(s.reasons)}
                        for s in found
                    ],
                }
            )
    write_atomic(args.out, rows, ["ask", "rank", "mentor", "score", "reasons"], fmt)
    return 0


def _match(
    args: argparse.Namespace,
    mentors: list[Mentor],
    asks: list[Ask],
    policy: Policy,
    semantic: SemanticIndex | None,
) -> int:
    from pairup.engine.assign import assign_detailed
    from pairup.engine.scoring import MentorIndex

    t0 = time.perf_counter()
    if semantic is not None:
        semantic.ask_vectors([a.text for a in asks])
    index = MentorIndex(mentors, policy, semantic=semantic)
    result = assign_detailed(asks, index, policy, progress=progress, workers=args.workers)
    secs = time.perf_counter() - t0
    rows = [
        {
            "ask": a.ask_id,
            "mentor": a.mentor_id,
            "score": a.score,
            "reasons": list(a.reasons),
            "unmatched_reason": a.unmatched_reason,
        }
        for a in result.assignments
    ]
    cols = ["ask", "mentor", "score", "reasons", "unmatched_reason"]
    if args.dump_scores:
        write_atomic(args.dump_scores, result.eligible_pairs(), ["ask", "mentor", "score"], "csv")
    write_atomic(args.out, rows, cols, _fmt(args))
    matched = sum(a.mentor_id is not None for a in result.assignments)
    total = sum(a.score for a in result.assignments if a.mentor_id is not None)
    print(
        f"matched {matched}, unmatched {len(rows) - matched}, total score {total:.6f}, "
        f"{secs:.2f} s (certified optimal after {result.rounds} flow solve(s), "
        f"{result.arcs} arcs in the last)",
        file=sys.stderr,
    )
    return 0


def _rotate(
    args: argparse.Namespace,
    mentors: list[Mentor],
    mentees: list[Ask],
    policy: Policy,
    semantic: SemanticIndex | None,
) -> int:
    from pairup.engine.rotations import rotations

    sched = rotations(mentees, mentors, args.rounds, args.seats, policy, semantic=semantic)
    rows = [
        {"round": m.round + 1, "mentor": m.mentor_id, "mentee": m.mentee_id, "score": m.score}
        for m in sched.meetings
    ]
    write_atomic(args.out, rows, ["round", "mentor", "mentee", "score"], _fmt(args))
    print(
        f"{len(rows)} meetings in {args.rounds} rounds, total score {sched.total_score:.6f}",
        file=sys.stderr,
    )
    return 0


def _tables(
    args: argparse.Namespace,
    mentors: list[Mentor],
    mentees: list[Ask],
    policy: Policy,
    semantic: SemanticIndex | None,
) -> int:
    from pairup.engine.tables import tables

    plan = tables(mentees, mentors, args.table_size, policy, semantic=semantic)
    rows: list[dict[str, Any]] = [
        {"mentor": t.mentor_id, "topic": t.topic, "mentees": list(t.mentee_ids), "score": t.score}
        for t in plan.tables
    ]
    write_atomic(args.out, rows, ["mentor", "topic", "mentees", "score"], _fmt(args))
    print(
        f"{len(plan.tables)} tables, {len(plan.unseated)} unseated, "
        f"total score {plan.total_score:.6f}",
        file=sys.stderr,
    )
    return 0


def _buddies(
    args: argparse.Namespace,
    mentors: list[Mentor],
    mentees: list[Ask],
    policy: Policy,
    semantic: SemanticIndex | None,
) -> int:
    from pairup.engine.buddies import buddies

    plan = buddies(mentees, mentors, args.share, policy, semantic=semantic)
    rows: list[dict[str, Any]] = [
        {"mentor": g.mentor_id, "mentees": list(g.mentee_ids), "score": g.score}
        for g in plan.groups
    ]
    rows += [
        {"mentor": None, "mentees": [u.mentee_id], "score": 0.0, "unmatched_reason": u.reason}
        for u in plan.unmatched
    ]
    write_atomic(args.out, rows, ["mentor", "mentees", "score", "unmatched_reason"], _fmt(args))
    trios = sum(len(g.mentee_ids) == 2 for g in plan.groups)
    print(
        f"{len(plan.groups) - trios} pairs, {trios} trios, {len(plan.unmatched)} unmatched, "
        f"total score {plan.total_score:.6f}",
        file=sys.stderr,
    )
    return 0
