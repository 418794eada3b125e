"""Suggestions latency, lexical against hybrid, on an existing PairUp database (the demo by
default): `suggest_mentors` for every open ask of the program, uncached, the two modes
interleaved run by run so both see the same machine; the model is loaded (and the texts'
vectors stored) before the timing, as on a server after its first match. Prints the median
and p95 per mode and their ratio.

    PAIRUP_VAR_DIR=/tmp/demo/var .venv/bin/python bench/suggest_relevance.py [--program acme-mentoring] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="acme-mentoring")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairup.settings")
    import django

    django.setup()
    from pairup.asks.matching.suggestions import suggest_mentors
    from pairup.asks.models import Ask, AskStatus
    from pairup.core.vectors import relevance_backend

    asks = list(
        Ask.objects.filter(program__slug=args.program, status=AskStatus.OPEN).order_by("pk")
    )
    if not asks:
        raise SystemExit(f"no open ask in the program {args.program!r}")
    os.environ["PAIRUP_RELEVANCE"] = "hybrid"
    if relevance_backend() is None:
        raise SystemExit("the sentence-embedding model is not installed: nothing to compare")
    for ask in asks:  # warm: the model loaded, every text's vector stored, queries cached
        suggest_mentors(ask)
    times: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for _ in range(args.runs):
        for mode in times:
            os.environ["PAIRUP_RELEVANCE"] = mode
            for ask in asks:
                t0 = time.perf_counter()
                suggest_mentors(ask)
                times[mode].append(time.perf_counter() - t0)
    for mode, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(
            f"{mode:8} {len(asks)} asks x {args.runs} runs: median "
            f"{statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
        )
    ratio = statistics.median(times["hybrid"]) / statistics.median(times["lexical"])
    print(f"hybrid / lexical (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
