"""Semantic relevance benchmarks (issue 16): quality on the expert-finding development set
with the popularity effect, recommend latency among many mentors, embedding time, and batch
matching in hybrid mode beside the lexical mode.

    python bench/semantic.py dev                 # MRR@100, Hit@10, top-20 share, both modes
    python bench/semantic.py cv [--folds 10] [--seed 11]   # the same, cross-validated
    python bench/semantic.py learned [--folds 10]   # + a popularity prior or a mentor classifier
    python bench/semantic.py recommend [--mentors 50000] [--queries 200]
    python bench/semantic.py embed [--profiles 2000] [--threads 2]
    python bench/semantic.py assign [--asks 10000] [--mentors 1000]
    python bench/semantic.py long [--per-doc 3]   # graded order of every mentor, long texts

`dev` reads ../shared/data/expert-finding (or $EXPERT_FINDING) with the protocol of its
evaluate.py, in-process. The top-20 share is the share of all top-10 slots that go to the 20
busiest mentors (most past asks): the popularity effect, which should not grow, since the
product spreads load away from "super mentors".

`cv` measures the same on many more asks: the development set's training questions are cut
into folds (seeded); each fold's questions are asks against mentors built from the other
folds' questions (the protocol of evaluate.py otherwise), about 1,400 asks instead of 165, so
differences of a few thousandths can be told from noise. It reports lexical, hybrid and the
README's reference (the answerers of the 50 most similar past questions under sublinear
TF-IDF vote, weighted by the similarity; needs scikit-learn, which sentence-transformers
installs), each with a paired bootstrap 95% interval of its difference to the lexical mode.

`recommend` and `assign` measure scoring with the vectors already cached, as in the app:
mentor and ask vectors are mixes of real all-MiniLM-L6-v2 vectors of the development set's
questions (two questions per text, normalised), and the texts the lexical part reads are the
same two questions' titles. Embedding the ask is timed apart with the real model, one short
ask at a time. `embed` times the real model on fresh texts (no cache), unique combinations of
the development set's titles, 1 profile and 5 past asks per mentor, in the precision the
encoder picks (PAIRUP_EMBED_PRECISION=float32 to compare), and reports the machine's load
average beside the wall and CPU times (other processes share the cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("EXPERT_FINDING", HERE.parent.parent / "shared/data/expert-finding"))


def load_dev() -> tuple[list, list, list]:
    """(mentors, asks, accepted answerer per ask), as evaluate.py builds them."""
    from pairup.engine import Ask, Mentor

    text, train, rest = load_records()
    history: dict[str, list[str]] = {}
    for r in train:
        for u in r["AnswererIdList"]:
            history.setdefault(u, []).append(text[r["QuestionId"]])
    test = [r for r in rest if r["AcceptedAnswererId"] in history]
    mentors = [
        Mentor(id=u, text=" ".join(h[:3]), history=tuple(h)) for u, h in sorted(history.items())
    ]
    asks = [Ask(id=r["QuestionId"], text=text[r["QuestionId"]]) for r in test]
    return mentors, asks, [r["AcceptedAnswererId"] for r in test]


def popularity_share(ranked: Sequence[Sequence[object]], busiest: set[object]) -> float:
    """Share of the top-10 slots given to the `busiest` mentors."""
    slots = [m for row in ranked for m in row[:10]]
    return sum(m in busiest for m in slots) / max(len(slots), 1)


def cmd_dev(args: argparse.Namespace) -> dict:
    from pairup.engine import MentorIndex, recommend
    from pairup.engine.embedding import DiskStore, load_embedder
    from pairup.engine.semantic import semantic_index

    mentors, asks, truth = load_dev()
    busiest = busiest_mentors(mentors)
    out = {}
    for mode in ("lexical", "hybrid"):
        t0 = time.perf_counter()
        sem = None
        if mode == "hybrid":
            embedder = load_embedder()
            if embedder is None:
                print("hybrid: the model is not installed", file=sys.stderr)
                continue
            sem = semantic_index(mentors, embedder, DiskStore())
            sem.ask_vectors([a.text for a in asks])
        index = MentorIndex(mentors, semantic=sem)
        ranked = [[s.mentor_id for s in recommend(a, index, 100)] for a in asks]
        secs = time.perf_counter() - t0
        rr = [
            1 / (row.index(t) + 1) if t in row else 0.0
            for row, t in zip(ranked, truth, strict=True)
        ]
        hit = [t in row[:10] for row, t in zip(ranked, truth, strict=True)]
        out[mode] = {
            "asks": len(asks),
            "mentors": len(mentors),
            "mrr100": round(float(np.mean(rr)), 3),
            "hit10": round(float(np.mean(hit)), 3),
            "top20_share": round(popularity_share(ranked, busiest), 3),
            "seconds": round(secs, 1),
        }
        print(mode, out[mode], flush=True)
    return out


def read_texts(path: Path) -> dict[str, str]:
    """A text file of the development set: question id, a space, the text, per line."""
    out = {}
    for line in path.read_text(errors="replace").splitlines():
        qid, _, text = line.partition(" ")
        out[qid] = text
    return out


def load_records() -> tuple[dict[str, str], list[dict], list[dict]]:
    """(text by question id, training records, test records) of the development set."""
    hist = DATA / "history"
    titles, contents = read_texts(hist / "Q_title.txt"), read_texts(hist / "Q_content.txt")
    records = [json.loads(x) for x in (hist / "Record_All.json").read_text().splitlines() if x]
    train_ids = {
        json.loads(x)["QuestionId"]
        for x in (hist / "Record_Train.json").read_text().splitlines()
        if x.strip()
    }
    text = {
        r["QuestionId"]: " ".join(
            [
                titles.get(r["QuestionId"], ""),
                contents.get(r["QuestionId"], "")[:1000],
                " ".join(r["Tags"]),
            ]
        )
        for r in records
    }
    train = [r for r in records if r["QuestionId"] in train_ids]
    return text, train, [r for r in records if r["QuestionId"] not in train_ids]


def voting_reference(mentors: Sequence, asks: Sequence, k: int = 50) -> list[list[object]]:
    """The README's reference: the answerers of the k past questions most similar to the
    ask under sublinear TF-IDF (English stop words) vote, weighted by the similarity."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    owners: dict[str, list[object]] = {}
    for m in mentors:
        for h in m.history:
            owners.setdefault(h, []).append(m.id)
    texts = list(owners)
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    past = vec.fit_transform(texts)
    sims = (vec.transform([a.text for a in asks]) @ past.T).toarray()
    ranked = []
    for row in sims:
        score: dict[object, float] = {}
        for q in np.argsort(-row, kind="stable")[:k]:
            if row[q] <= 0:  # nothing in common: no vote
                break
            for u in owners[texts[q]]:
                score[u] = score.get(u, 0.0) + float(row[q])
        ranked.append(sorted(score, key=lambda u: (-score[u], str(u)))[:100])
    return ranked


def cv_folds(folds: int, seed: int) -> Iterator[tuple[list, list, list]]:
    """(mentors, asks, accepted answerer per ask) of each fold of the development set's
    training questions (seeded): the fold's questions asked of mentors built from the
    other folds', with the protocol of evaluate.py otherwise."""
    import random

    from pairup.engine import Ask, Mentor

    text, train, _ = load_records()
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    fold = {train[i]["QuestionId"]: n % folds for n, i in enumerate(order)}
    for f in range(folds):
        history: dict[str, list[str]] = {}
        for r in train:
            if fold[r["QuestionId"]] != f:
                for u in r["AnswererIdList"]:
                    history.setdefault(u, []).append(text[r["QuestionId"]])
        mentors = [
            Mentor(id=u, text=" ".join(h[:3]), history=tuple(h)) for u, h in sorted(history.items())
        ]
        held = [
            r
            for r in train
            if fold[r["QuestionId"]] == f and r.get("AcceptedAnswererId") in history
        ]
        asks = [Ask(id=r["QuestionId"], text=text[r["QuestionId"]]) for r in held]
        yield mentors, asks, [r["AcceptedAnswererId"] for r in held]


def busiest_mentors(mentors: Sequence) -> set[object]:
    """The 20 mentors with the most past asks (ties by id): the top-20 share's mentors."""
    counts = {m.id: len(m.history) for m in mentors}
    return set(sorted(counts, key=lambda x: (-counts[x], x))[:20])


def cmd_cv(args: argparse.Namespace) -> dict:
    from pairup.engine import MentorIndex, recommend
    from pairup.engine.embedding import DiskStore, load_embedder
    from pairup.engine.semantic import semantic_index

    embedder = load_embedder()
    rr: dict[str, list[float]] = {"lexical": [], "hybrid": [], "reference": []}
    slots: dict[str, list[float]] = {"lexical": [], "hybrid": [], "reference": []}
    t0 = time.perf_counter()
    for f, (mentors, asks, truth) in enumerate(cv_folds(args.folds, args.seed)):
        busiest = busiest_mentors(mentors)
        runs = {"lexical": MentorIndex(mentors)}
        if embedder is not None:
            sem = semantic_index(mentors, embedder, DiskStore())
            sem.ask_vectors([a.text for a in asks])
            runs["hybrid"] = MentorIndex(mentors, semantic=sem)
        ranked = {
            mode: [[s.mentor_id for s in recommend(a, index, 100)] for a in asks]
            for mode, index in runs.items()
        }
        with contextlib.suppress(ImportError):  # scikit-learn: the reference only
            ranked["reference"] = voting_reference(mentors, asks)
        for mode, rows in ranked.items():
            rr[mode] += [
                1 / (row.index(t) + 1) if t in row else 0.0
                for row, t in zip(rows, truth, strict=True)
            ]
            slots[mode] += [m in busiest for row in rows for m in row[:10]]
        print(f"fold {f + 1}/{args.folds}: {len(asks)} asks", file=sys.stderr, flush=True)
    out: dict = {"folds": args.folds, "seed": args.seed, "seconds": time.perf_counter() - t0}
    lexical = np.array(rr["lexical"])
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(lexical), (2000, len(lexical)))
    for mode, values in rr.items():
        if not values:
            continue
        got = np.array(values)
        diff = (got - lexical)[picks].mean(axis=1)
        out[mode] = {
            "asks": len(got),
            "mrr100": round(float(got.mean()), 4),
            "top20_share": round(float(np.mean(slots[mode])), 3),
            "vs_lexical": round(float((got - lexical).mean()), 4),
            "vs_lexical_95": [round(float(x), 4) for x in np.percentile(diff, [2.5, 97.5])],
        }
        print(mode, out[mode], flush=True)
    if rr["hybrid"] and rr["reference"]:
        d = np.array(rr["hybrid"]) - np.array(rr["reference"])
        out["hybrid_vs_reference"] = round(float(d.mean()), 4)
        out["hybrid_vs_reference_95"] = [
            round(float(x), 4) for x in np.percentile(d[picks].mean(axis=1), [2.5, 97.5])
        ]
        print("hybrid - reference", out["hybrid_vs_reference"], out["hybrid_vs_reference_95"])
    return out


def mentor_classifier(
    vecs: np.ndarray, owner: np.ndarray, n_mentors: int, l2: float, steps: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """(weights, bias) of a softmax over mentors fitted to which mentor holds each past ask
    (its frozen vector): p(mentor | text), the log-linear expert model of Van Gysel et al.
    (2016) on sentence vectors, full-batch Adam from zeros (deterministic on one thread)."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(vecs, dtype=np.float32))
    y = torch.from_numpy(owner.astype(np.int64))
    w = torch.zeros(x.shape[1], n_mentors, requires_grad=True)
    b = torch.zeros(n_mentors, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w + b, y) + l2 * (w * w).sum()
        loss.backward()
        opt.step()
    return w.detach().numpy(), b.detach().numpy()


def ranks(score: np.ndarray) -> np.ndarray:
    """Each row's rank of every column, 0 = highest (ties: the lower column first)."""
    return np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1)


def cmd_learned(args: argparse.Namespace) -> dict:
    """Cross-validated MRR@100 and top-20 share of what a popularity prior or a mentor
    classifier learned from the mentors' own past asks adds to the committed hybrid score
    (every mentor scored; equal scores by id)."""
    import torch

    from pairup.engine import MentorIndex
    from pairup.engine.embedding import DiskStore, load_embedder
    from pairup.engine.recommend import top_candidates
    from pairup.engine.semantic import semantic_index

    embedder = load_embedder()
    assert embedder is not None, "the model is not installed"
    torch.set_num_threads(1)
    rr: dict[str, list[float]] = {}
    slots: dict[str, list[bool]] = {}
    for mentors, asks, truth in cv_folds(args.folds, args.seed):
        n = len(mentors)
        sem = semantic_index(mentors, embedder, DiskStore())
        ask_vecs = sem.ask_vectors([a.text for a in asks])
        index = MentorIndex(mentors, semantic=sem)
        hybrid = np.zeros((len(asks), n))
        for i, a in enumerate(asks):
            pos, scores, _, _ = top_candidates(index.score_ask(a, wanted=n), n)
            hybrid[i, pos[:n]] = scores[:n]
        by_id = np.argsort(np.argsort([str(m.id) for m in mentors]))
        at = {m.id: i for i, m in enumerate(mentors)}
        want = np.array([at[t] for t in truth])
        busiest = np.isin(np.arange(n), [at[m] for m in busiest_mentors(mentors)])

        runs = {"hybrid (committed)": hybrid}
        past = np.array([len(m.history) for m in mentors], dtype=np.float64)
        prior = np.log1p(past) / np.log1p(past.max())
        for beta in (0.05, 0.1, 0.2):
            runs[f"hybrid + {beta} x log prior"] = hybrid + beta * prior
        held = sem.doc_item >= 0
        for l2 in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2):
            w, b = mentor_classifier(sem.doc_vecs[held], sem.doc_owner[held], n, l2)
            plain = ask_vecs @ w
            for prior_kept, logits in ((False, plain), (True, plain + b)):
                name = f"classifier l2 {l2}" + ("" if prior_kept else ", without its bias")
                runs[name] = logits
                fused = 1 / (60 + ranks(hybrid)) + 1 / (60 + ranks(logits))
                runs[f"hybrid + {name}: rank fusion"] = fused
                p = np.exp(logits - logits.max(axis=1, keepdims=True))
                runs[f"hybrid + 2 p, {name}"] = hybrid + 2 * p / p.sum(axis=1, keepdims=True)
        for name, score in runs.items():
            for row, t in zip(score, want, strict=True):
                top = np.lexsort((by_id, -row))[:100]
                hit = np.flatnonzero(top == t)
                rr.setdefault(name, []).append(1 / (hit[0] + 1) if len(hit) else 0.0)
                slots.setdefault(name, []).extend(busiest[top[:10]])
        print(f"fold: {len(asks)} asks", file=sys.stderr, flush=True)
    out = {
        name: {
            "mrr100": round(float(np.mean(v)), 4),
            "top20_share": round(float(np.mean(slots[name])), 3),
        }
        for name, v in rr.items()
    }
    for name, row in out.items():
        print(f"{name}: {row}")
    return out


def cmd_long(args: argparse.Namespace) -> dict:
    """Graded relevance on long documents, every mentor ranked (a check of the long-text
    path, built from the development set's full question bodies): the questions of the 60
    most used tags go to their rarest such tag; each tag with enough questions gets 2
    mentors, each owning 3 documents of `per_doc` whole questions (their profile: the first
    two questions), and 2 asks of `per_doc` other questions. Grades: 2 for a mentor of the
    ask's tag, 1 for a tag that shares at least 5 questions with it, else 0. NDCG over all
    mentors (recommend with k = every mentor, as the long-text judging reads) and MRR of the
    first mentor of the ask's tag: lexical, hybrid (with a paired bootstrap interval of
    their difference), and embeddings alone for reference (the closest document; the
    centroid of a mentor's documents)."""
    import collections
    import random

    from pairup.engine import Ask, Mentor, MentorIndex, recommend
    from pairup.engine.embedding import DiskStore, embed_documents, load_embedder
    from pairup.engine.semantic import semantic_index

    hist = DATA / "history"
    titles, contents = read_texts(hist / "Q_title.txt"), read_texts(hist / "Q_content.txt")
    records = [json.loads(x) for x in (hist / "Record_All.json").read_text().splitlines() if x]
    uses = collections.Counter(t for r in records for t in r["Tags"])
    top = [t for t, _ in uses.most_common(60)]
    by_tag: dict[str, list[str]] = collections.defaultdict(list)
    for r in records:
        mine = [t for t in top if t in r["Tags"]]
        if mine:
            by_tag[min(mine, key=lambda t: (uses[t], t))].append(r["QuestionId"])
    together = collections.Counter((a, b) for r in records for a in r["Tags"] for b in r["Tags"])
    n = args.per_doc
    need = 2 * 3 * n + 2 * n
    rng = random.Random(args.seed)

    def document(ids: Sequence[str]) -> str:
        return " ".join(f"{titles.get(q, '')} {contents.get(q, '')}" for q in ids)

    mentors, asks, tag_of = [], [], {}
    for tag in sorted(t for t, ids in by_tag.items() if len(ids) >= need):
        ids = sorted(by_tag[tag])
        rng.shuffle(ids)
        for j in range(2):
            own = ids[j * 3 * n : (j + 1) * 3 * n]
            docs = tuple(document(own[i : i + n]) for i in range(0, 3 * n, n))
            mentors.append(Mentor(id=f"{tag}/{j}", text=document(own[:2]), history=docs))
            tag_of[f"{tag}/{j}"] = tag
        for j in range(2):
            start = 6 * n + j * n
            asks.append(Ask(id=f"ask {tag}/{j}", text=document(ids[start : start + n])))
            tag_of[f"ask {tag}/{j}"] = tag

    def grade(ask: object, mentor: object) -> int:
        a, m = tag_of[str(ask)], tag_of[str(mentor)]
        return 2 if a == m else int(together[(a, m)] >= 5)

    def ndcg(ask: object, ranked: Sequence[object]) -> float:
        gains = [2 ** grade(ask, m) - 1 for m in ranked]
        ideal = sorted((2 ** grade(ask, m.id) - 1 for m in mentors), reverse=True)
        at = 1 / np.log2(np.arange(len(gains)) + 2)
        return float(np.dot(gains, at) / np.dot(ideal, at[: len(ideal)]))

    runs: dict[str, object] = {"lexical": MentorIndex(mentors)}
    ranked: dict[str, list[list[object]]] = {}
    embedder = load_embedder()
    if embedder is not None:
        store = DiskStore()
        sem = semantic_index(mentors, embedder, store)
        sem.ask_vectors([a.text for a in asks])
        runs["hybrid"] = MentorIndex(mentors, semantic=sem)
        # References, embeddings alone: a mentor by their closest document, and by the
        # centroid of their documents (one vector per mentor).
        q = embed_documents(embedder, [a.text for a in asks], store)
        docs = [embed_documents(embedder, list(m.history), store) for m in mentors]
        closest = np.stack([(d @ q.T).max(axis=0) for d in docs], axis=1)
        centroids = np.stack([d.mean(axis=0) / np.linalg.norm(d.mean(axis=0)) for d in docs])
        for mode, scores in (("closest document", closest), ("centroid", q @ centroids.T)):
            ranked[mode] = [
                [mentors[j].id for j in np.argsort(-row, kind="stable")] for row in scores
            ]
    words = [len(d.split()) for m in mentors for d in m.history]
    out: dict = {
        "mentors": len(mentors),
        "asks": len(asks),
        "words_per_document": round(float(np.mean(words))),
        "words_per_ask": round(float(np.mean([len(a.text.split()) for a in asks]))),
    }
    for mode, index in runs.items():
        ranked[mode] = [[s.mentor_id for s in recommend(a, index, len(mentors))] for a in asks]
    per_ask: dict[str, np.ndarray] = {}
    for mode, rows in ranked.items():
        gains = np.array([ndcg(a.id, row) for a, row in zip(asks, rows, strict=True)])
        first = [
            next((1 / (i + 1) for i, m in enumerate(row) if grade(a.id, m) == 2), 0.0)
            for a, row in zip(asks, rows, strict=True)
        ]
        per_ask[mode] = gains
        out[mode] = {"ndcg": round(float(gains.mean()), 4), "mrr": round(float(np.mean(first)), 4)}
        print(mode, out[mode], flush=True)
    picks = np.random.default_rng(0).integers(0, len(asks), (2000, len(asks)))
    for other in [m for m in per_ask if m != "hybrid"] if "hybrid" in per_ask else []:
        d = per_ask["hybrid"] - per_ask[other]
        name = f"hybrid_vs_{other.replace(' ', '_')}_ndcg"
        out[name] = round(float(d.mean()), 4)
        out[f"{name}_95"] = [
            round(float(x), 4) for x in np.percentile(d[picks].mean(axis=1), [2.5, 97.5])
        ]
        print(f"hybrid - {other}", out[name], out[f"{name}_95"])
    print(json.dumps({k: v for k, v in out.items() if not isinstance(v, dict)}))
    return out


class Mixed:
    """An Embedder returning stored vectors for the benchmark's texts (the app reads them
    from its cache the same way); unknown texts are an error, so nothing is encoded."""

    version = "bench-mixed/1"
    dim = 384

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def synthetic(n_mentors: int, n_asks: int, items: int, seed: int):
    """Mentors (profile + `items` past asks) and asks whose texts are two dev questions'
    titles and whose vectors mix the two questions' real vectors (cached)."""
    from pairup.engine import Ask, Mentor
    from pairup.engine.embedding import DiskStore, embed_documents, load_embedder

    dev_mentors, dev_asks, _ = load_dev()
    texts = sorted({h for m in dev_mentors for h in m.history} | {a.text for a in dev_asks})
    embedder = load_embedder()
    assert embedder is not None, "the model is not installed"
    base = embed_documents(embedder, texts, DiskStore())
    titles = [" ".join(t.split()[:12]) for t in texts]
    rng = np.random.default_rng(seed)
    vectors: dict[str, np.ndarray] = {}

    def make(tag: str) -> str:
        i, j = rng.integers(0, len(texts), 2)
        text = f"{titles[i]} {titles[j]} {tag}"
        v = base[i] + base[j]
        vectors[text] = v / np.linalg.norm(v)
        return text

    mentors = [
        Mentor(id=k, text=make(f"p{k}"), history=tuple(make(f"h{k}_{j}") for j in range(items)))
        for k in range(n_mentors)
    ]
    asks = [Ask(id=f"a{k}", text=make(f"a{k}")) for k in range(n_asks)]
    return mentors, asks, Mixed(vectors), embedder


def cmd_recommend(args: argparse.Namespace) -> dict:
    from pairup.engine import MentorIndex, recommend
    from pairup.engine.embedding import MemoryStore
    from pairup.engine.semantic import semantic_index

    mentors, asks, mixed, model = synthetic(args.mentors, args.queries, 5, seed=3)
    t0 = time.perf_counter()
    sem = semantic_index(mentors, mixed, MemoryStore())
    sem.ask_vectors([a.text for a in asks])
    index = MentorIndex(mentors, semantic=sem)
    lexical = MentorIndex(mentors)
    build = time.perf_counter() - t0
    out: dict = {"mentors": args.mentors, "documents": len(sem.doc_owner), "index_s": build}
    t0, c0 = time.perf_counter(), time.process_time()
    sem.coarse()
    out["coarse_build_s"] = time.perf_counter() - t0
    out["coarse_build_cpu_s"] = time.process_time() - c0
    ranked: dict[str, list[list[object]]] = {}
    modes = (("lexical", lexical, None), ("hybrid_exact", index, 10**12))
    modes += (("hybrid", index, sem.approximate_from),)
    for name, idx, approximate_from in modes:
        if approximate_from is not None:
            sem.approximate_from = approximate_from
        lat, cpu, rows = [], [], []
        for a in asks:
            s, c = time.perf_counter(), time.process_time()
            got = recommend(a, idx, 10)
            lat.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)
            rows.append([g.mentor_id for g in got])
        ranked[name] = rows
        ms, cms = np.array(lat) * 1000, np.array(cpu) * 1000
        out[name] = {
            "p50_ms": float(np.median(ms)),
            "p95_ms": float(np.percentile(ms, 95)),
            "cpu_p50_ms": float(np.median(cms)),
            "cpu_p95_ms": float(np.percentile(cms, 95)),
        }
        print(name, out[name], flush=True)
    # Recall@10 of the coarse first stage against the exact ranking.
    out["recall_at_10"] = float(
        np.mean(
            [
                len(set(a) & set(e)) / max(len(e), 1)
                for a, e in zip(ranked["hybrid"], ranked["hybrid_exact"], strict=True)
            ]
        )
    )
    out["same_order_share"] = float(
        np.mean([a == e for a, e in zip(ranked["hybrid"], ranked["hybrid_exact"], strict=True)])
    )
    print("recall@10", out["recall_at_10"], "identical", out["same_order_share"], flush=True)
    # Embedding one short ask with the real model (what a new ask costs before scoring).
    enc, enc_cpu = [], []
    for k, a in enumerate(asks[: min(50, len(asks))]):
        s, c = time.perf_counter(), time.process_time()
        model.encode([f"{a.text} {k} fresh"])
        enc.append(time.perf_counter() - s)
        enc_cpu.append(time.process_time() - c)
    enc_ms, enc_cpu_ms = np.array(enc) * 1000, np.array(enc_cpu) * 1000
    out["embed_ask"] = {
        "p50_ms": float(np.median(enc_ms)),
        "p95_ms": float(np.percentile(enc_ms, 95)),
        "cpu_p50_ms": float(np.median(enc_cpu_ms)),
        "cpu_p95_ms": float(np.percentile(enc_cpu_ms, 95)),
    }
    both = np.array(lat[: len(enc)]) * 1000 + enc_ms
    out["hybrid_incl_embed_p95_ms"] = float(np.percentile(both, 95))
    both_cpu = np.array(cpu[: len(enc)]) * 1000 + enc_cpu_ms
    out["hybrid_incl_embed_cpu_p95_ms"] = float(np.percentile(both_cpu, 95))
    print(json.dumps(out, indent=1))
    return out


def cmd_embed(args: argparse.Namespace) -> dict:
    from pairup.engine.embedding import MemoryStore, load_embedder
    from pairup.engine.semantic import semantic_index

    # Loaded first: the encoder sets torch's OpenMP up before torch is imported.
    embedder = load_embedder()
    assert embedder is not None, "the model is not installed"
    embedder.threads = args.threads  # type: ignore[attr-defined]
    mentors_dev, _, _ = load_dev()
    titles = sorted({" ".join(h.split()[:14]) for m in mentors_dev for h in m.history})
    rng = np.random.default_rng(5)
    from pairup.engine import Mentor

    def text(k: str) -> str:
        i, j = rng.integers(0, len(titles), 2)
        return f"{titles[i]} and {titles[j]} ({k})"

    mentors = [
        Mentor(id=k, text=text(f"p{k}"), history=tuple(text(f"h{k}.{j}") for j in range(5)))
        for k in range(args.profiles)
    ]
    words = np.mean([len(m.text.split()) for m in mentors])
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    store = MemoryStore()
    semantic_index(mentors, embedder, store)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = args.profiles * 6
    t1 = time.perf_counter()
    edited = [*mentors[1:], Mentor(id=0, text=text("edited"), history=mentors[0].history)]
    semantic_index(edited, embedder, store)
    update = time.perf_counter() - t1
    out = {
        "profiles": args.profiles,
        "texts": n,
        "mean_words": float(words),
        "model": embedder.version,
        "threads": args.threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_average_before_after": [load_before, os.getloadavg()[0]],
        "seconds": secs,
        "texts_per_s": n / secs,
        "cpu_s": cpu,
        "texts_per_cpu_s": n / cpu,
        # At this run's wall rate (other processes on the cores included).
        "extrapolated_50k_min": 50_000 * 6 / (n / secs) / 60,
        # On cores of its own (no other load): this run's CPU time, on one core, and spread
        # over two (what two threads or two processes reach at best).
        "extrapolated_50k_min_1_free_core": 50_000 * 6 / (n / cpu) / 60,
        "extrapolated_50k_min_2_free_cores": 50_000 * 6 / (n / cpu) / 60 / 2,
        "one_profile_edit_s": update,
        **compute_floor(embedder, [m.text for m in mentors[:1000]], args.threads, n / secs),
    }
    print(json.dumps(out, indent=1))
    return out


def compute_floor(embedder: object, texts: Sequence[str], threads: int, rate: float) -> dict:
    """How close the encoder runs to this CPU's matrix-product rate in the encoder's
    precision: the model's multiply-adds per text (all-MiniLM-L6-v2: 6 layers of width 384,
    feed-forward 1,536, at the texts' mean word pieces), against a product of the layers'
    shape timed on `threads` torch threads; and the 300,000 texts at that rate, a floor for
    this precision on this CPU."""
    import torch

    tokenizer = embedder._model.tokenizer  # type: ignore[attr-defined]
    pieces = float(np.mean([len(tokenizer(t)["input_ids"]) for t in texts]))
    width, layers = 384, 6
    flop_per_text = 2 * layers * (12 * width * width + 2 * pieces * width) * pieces
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    dtype = torch.bfloat16 if getattr(embedder, "precision", "") == "bfloat16" else torch.float32
    a = torch.randn(32 * round(pieces), width, dtype=dtype)
    w = torch.randn(width, 4 * width, dtype=dtype)
    for _ in range(5):
        a @ w
    t0, reps = time.perf_counter(), 300
    for _ in range(reps):
        a @ w
    gemm = 2 * a.shape[0] * width * 4 * width * reps / (time.perf_counter() - t0)
    torch.set_num_threads(before)
    return {
        "gemm_dtype": str(dtype),
        "word_pieces_per_text": pieces,
        "gflop_per_text": flop_per_text / 1e9,
        "gemm_gflop_per_s": gemm / 1e9,
        "encoder_gflop_per_s": rate * flop_per_text / 1e9,
        "share_of_gemm_rate": rate * flop_per_text / gemm,
        "floor_50k_min_at_gemm_rate": 50_000 * 6 * flop_per_text / gemm / 60,
    }


def cmd_assign(args: argparse.Namespace) -> dict:
    from pairup.engine import MentorIndex
    from pairup.engine.assign import assign_detailed
    from pairup.engine.embedding import MemoryStore
    from pairup.engine.semantic import semantic_index

    mentors, asks, mixed, _ = synthetic(args.mentors, args.asks, 5, seed=4)
    mentors = [
        type(m)(id=m.id, text=m.text, history=m.history, capacity=int(10 + m.id % 11))
        for m in mentors
    ]
    out: dict = {"asks": args.asks, "mentors": args.mentors}
    for mode in ("lexical", "hybrid"):
        t0, c0 = time.perf_counter(), time.process_time()
        sem = semantic_index(mentors, mixed, MemoryStore()) if mode == "hybrid" else None
        index = MentorIndex(mentors, semantic=sem)
        result = assign_detailed(asks, index, explain=False)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        matched = [a for a in result.assignments if a.mentor_id is not None]
        out[mode] = {
            "seconds": secs,
            "cpu_s": cpu,
            "matched": len(matched),
            "total": round(sum(a.score for a in matched), 3),
            "rounds": result.rounds,
            "arcs": result.arcs,
        }
        print(mode, out[mode], flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("dev")
    c = sub.add_parser("cv")
    c.add_argument("--folds", type=int, default=10)
    c.add_argument("--seed", type=int, default=11)
    c = sub.add_parser("learned")
    c.add_argument("--folds", type=int, default=10)
    c.add_argument("--seed", type=int, default=11)
    r = sub.add_parser("recommend")
    r.add_argument("--mentors", type=int, default=50_000)
    r.add_argument("--queries", type=int, default=200)
    e = sub.add_parser("embed")
    e.add_argument("--profiles", type=int, default=2000)
    e.add_argument("--threads", type=int, default=2)
    g = sub.add_parser("long")
    g.add_argument("--per-doc", type=int, default=3, help="whole questions per document")
    g.add_argument("--seed", type=int, default=5)
    a = sub.add_parser("assign")
    a.add_argument("--asks", type=int, default=10_000)
    a.add_argument("--mentors", type=int, default=1_000)
    args = p.parse_args()
    result = {
        "dev": cmd_dev,
        "cv": cmd_cv,
        "learned": cmd_learned,
        "recommend": cmd_recommend,
        "embed": cmd_embed,
        "assign": cmd_assign,
        "long": cmd_long,
    }[args.cmd](args)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"semantic_{args.cmd}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
