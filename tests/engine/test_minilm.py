"""The default encoder (`engine.minilm`): its vectors against those the float32 encoder gave
before bulk batching and bfloat16 (a reference file), one text alone against the same text
in a bulk call, and the precision named in the version."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pairup.engine import minilm as mini

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "minilm_float32_reference.json").read_text()
)
TEXTS: list[str] = REFERENCE["texts"]
BEFORE = np.asarray(REFERENCE["vectors"], dtype=np.float32)
# A bulk call (more than ONE_THREAD texts: every torch thread, the model's length-sorted
# batches) of texts of many lengths, the reference texts among them.
BULK = [*TEXTS, *(f"{' '.join(['career'] * n)} question {n}" for n in range(1, 60, 4))]


def precise(model: mini.MiniLM, precision: str) -> mini.MiniLM:
    """The same loaded model in `precision` (no second load)."""
    base = model.version.removesuffix("/bfloat16")
    return mini.MiniLM(model._model, base, precision)


@pytest.mark.parametrize("precision", mini.PRECISIONS)
def test_bulk_and_single_vectors_match_the_float32_encoder_of_before(minilm, precision):
    model = precise(minilm, precision)
    bulk = model.encode(BULK)[: len(TEXTS)]
    alone = np.concatenate([model.encode([t]) for t in TEXTS])
    for got in (bulk, alone):
        assert got.dtype == np.float32
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    if precision == "float32":  # the same arithmetic as before: equal to rounding
        assert np.abs(bulk - BEFORE).max() < 1e-5
        assert np.abs(alone - BEFORE).max() < 1e-5
    else:
        assert ((bulk * BEFORE).sum(axis=1) > 0.9995).all()
        assert ((alone * BEFORE).sum(axis=1) > 0.9995).all()
    assert ((bulk * alone).sum(axis=1) > 0.9999).all()


def test_the_version_names_the_precision_so_caches_never_mix(minilm):
    base = REFERENCE["version"]
    assert precise(minilm, "float32").version == base  # unchanged: float32 caches stay valid
    assert precise(minilm, "bfloat16").version == f"{base}/bfloat16"


def test_precision_is_pinned_by_the_environment_or_follows_the_cpu(monkeypatch):
    monkeypatch.setattr(mini, "native_bfloat16", lambda: True)
    monkeypatch.delenv("PAIRUP_EMBED_PRECISION", raising=False)
    assert mini.precision() == "bfloat16"
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "float32")
    assert mini.precision() == "float32"
    monkeypatch.setattr(mini, "native_bfloat16", lambda: False)
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "auto")
    assert mini.precision() == "float32"
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "BFloat16")
    assert mini.precision() == "bfloat16"
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "half")
    with pytest.raises(ValueError, match="PAIRUP_EMBED_PRECISION must be 'auto', 'float32' or"):
        mini.precision()


def test_the_environment_is_offline_with_sleeping_openmp_threads_unless_set(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "OMP_WAIT_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")  # the operator's choice stays
    mini.set_environment()
    assert mini.os.environ["HF_HUB_OFFLINE"] == mini.os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert mini.os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    assert mini.os.environ["TOKENIZERS_PARALLELISM"] == "true"
