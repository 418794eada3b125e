"""Seeded generator of realistic synthetic mentoring programs.

A two-level topic taxonomy (areas / subtopics), each subtopic with its own Zipf-skewed
vocabulary on top of a shared general vocabulary; mentors with 1-3 topics at a level, a
headline/bio, a history of 0-12 past asks drawn from their topics (popular mentors have
longer histories), capacity 1-3, some load, one of a few sites, languages; asks with one
topic (sometimes two), a question in that topic's words, a site and languages.

    python bench/generate.py --asks 1000 --mentors 100 --out-dir /tmp/prog   # JSONL files
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from pairup.engine import Ask, HistoryItem, Mentor, TopicLevel

AREAS = ["career", "soft-skills", "hard-skills", "leadership", "product", "data", "design", "ops"]
SITES = ["berlin", "paris", "lisbon", "nairobi", "austin", "singapore"]
LANGS = ["en", "de", "fr", "es", "pt"]


def _syllables(rng: np.random.Generator, n: int) -> list[str]:
    cons, vows = "bcdfghjklmnprstvz", "aeiou"
    out: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(2, 4))
        out.add("".join(rng.choice(list(cons)) + rng.choice(list(vows)) for _ in range(k)))
    return sorted(out)


class Program:
    def __init__(self, seed: int = 0, subtopics: int = 8, topic_words: int = 150) -> None:
        self.rng = rng = np.random.default_rng(seed)
        words = _syllables(rng, len(AREAS) * subtopics * topic_words + 3000)
        self.general = words[:3000]
        self.topics: list[str] = []
        self.vocab: list[list[str]] = []
        k = 3000
        for area in AREAS:
            for s in range(subtopics):
                self.topics.append(f"{area}/t{s}")
                self.vocab.append(words[k : k + topic_words])
                k += topic_words
        zipf = 1.0 / np.arange(1, topic_words + 1) ** 1.1
        self.p_topic = zipf / zipf.sum()
        g = 1.0 / np.arange(1, 3001) ** 1.0
        self.p_general = g / g.sum()
        self.c_topic, self.c_general = np.cumsum(self.p_topic), np.cumsum(self.p_general)
        pop = 1.0 / np.arange(1, len(self.topics) + 1) ** 0.8  # some topics are much busier
        self.p_topics = pop / pop.sum()

    def sentence(self, topic: int, n: int) -> str:
        rng = self.rng
        n_topic = max(1, int(n * 0.4))
        a = np.searchsorted(self.c_topic, rng.random(n_topic))
        b = np.searchsorted(self.c_general, rng.random(n - n_topic))
        vocab, general = self.vocab[topic], self.general
        words = [vocab[min(i, len(vocab) - 1)] for i in a]
        words += [general[min(i, len(general) - 1)] for i in b]
        return " ".join(words[i] for i in rng.permutation(len(words)))

    def mentors(self, n: int) -> list[Mentor]:
        rng = self.rng
        out = []
        for i in range(n):
            k = int(rng.integers(1, 4))
            ts = rng.choice(len(self.topics), k, replace=False, p=self.p_topics)
            levels = rng.choice(["familiar", "experienced", "expert"], k, p=[0.3, 0.4, 0.3])
            n_hist = min(12, int(rng.pareto(1.5) * 2))
            history = tuple(
                HistoryItem(self.sentence(int(rng.choice(ts)), 14), float(rng.choice([1.0, 0.5])))
                if rng.random() < 0.2
                else self.sentence(int(rng.choice(ts)), 14)
                for _ in range(n_hist)
            )
            langs = ("en",) if rng.random() < 0.7 else ("en", str(rng.choice(LANGS[1:])))
            if rng.random() < 0.05:
                langs = (str(rng.choice(LANGS[1:])),)
            out.append(
                Mentor(
                    id=i,
                    name=f"Mentor {i}",
                    text=self.sentence(int(ts[0]), 20),
                    history=history,
                    topics=tuple(
                        TopicLevel(self.topics[t], str(lv))
                        for t, lv in zip(ts, levels, strict=True)
                    ),
                    capacity=int(rng.integers(1, 4)),
                    load=int(rng.integers(0, 4)),
                    site=str(rng.choice(SITES)),
                    languages=langs,
                )
            )
        return out

    def asks(self, n: int, n_mentors: int = 0) -> list[Ask]:
        rng = self.rng
        out = []
        for j in range(n):
            t = int(rng.choice(len(self.topics), p=self.p_topics))
            topics = [self.topics[t]]
            if rng.random() < 0.2:
                topics.append(self.topics[t].split("/")[0])
            langs = ("en",) if rng.random() < 0.9 else (str(rng.choice(LANGS[1:])),)
            exclude = (int(rng.integers(n_mentors)),) if n_mentors and rng.random() < 0.05 else ()
            out.append(
                Ask(
                    id=f"a{j}",
                    text=self.sentence(t, 16),
                    topics=tuple(TopicLevel(p) for p in topics),
                    site=str(rng.choice(SITES)),
                    languages=langs,
                    exclude=exclude,
                )
            )
        return out


def program(n_asks: int, n_mentors: int, seed: int = 0) -> tuple[list[Ask], list[Mentor]]:
    gen = Program(seed)
    mentors = gen.mentors(n_mentors)
    return gen.asks(n_asks, n_mentors), mentors


def _mentor_json(m: Mentor) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "text": m.text,
        "history": [
            {"text": h.text, "weight": h.weight} if isinstance(h, HistoryItem) else h
            for h in m.history
        ],
        "topics": [{"topic": t.path, "level": t.level} for t in m.topics],
        "capacity": m.capacity,
        "load": m.load,
        "site": m.site,
        "languages": list(m.languages),
    }


def _ask_json(a: Ask) -> dict:
    return {
        "id": a.id,
        "text": a.text,
        "topics": [t.path for t in a.topics],
        "site": a.site,
        "languages": list(a.languages),
        "exclude": list(a.exclude),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--asks", type=int, default=1000)
    p.add_argument("--mentors", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", type=Path, required=True)
    args = p.parse_args()
    asks, mentors = program(args.asks, args.mentors, args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with (args.out_dir / "mentors.jsonl").open("w") as fh:
        fh.writelines(json.dumps(_mentor_json(m)) + "\n" for m in mentors)
    with (args.out_dir / "asks.jsonl").open("w") as fh:
        fh.writelines(json.dumps(_ask_json(a)) + "\n" for a in asks)


if __name__ == "__main__":
    main()
