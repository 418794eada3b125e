"""System checks (`pairup check`, and before `migrate` and `serve`): the relevance the
server was asked for is one it can run."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.core import checks

from pairup.engine.embedding import requested_mode
from pairup.engine.minilm import MODEL_PACKAGE, requested_precision

# What the default embedder imports (`engine.minilm`): looked for, not loaded, so every
# command does not pay the seconds a model takes to load.
MODEL_MODULES = ("sentence_transformers", MODEL_PACKAGE.replace("-", "_"))


@checks.register()
def relevance_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        mode = requested_mode()
    except ValueError as exc:
        return [checks.Error(str(exc), id="pairup.E001")]
    try:
        requested_precision()
    except ValueError as exc:
        return [checks.Error(str(exc), id="pairup.E002")]
    missing = [name for name in MODEL_MODULES if find_spec(name) is None]
    if mode == "hybrid" and missing:
        return [
            checks.Warning(
                f"Relevance runs lexical: the sentence-embedding model is not installed "
                f"(missing: {', '.join(missing)}).",
                hint="Install PairUp with its dependencies (`make install`), or set "
                "PAIRUP_RELEVANCE=lexical to choose the lexical mode.",
                id="pairup.W001",
            )
        ]
    return []
