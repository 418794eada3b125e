"""The database's vector cache (`core.vectors.DatabaseVectorStore`), on the real database."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairup.core.models import TextVector
from pairup.core.vectors import BATCH, DatabaseVectorStore

pytestmark = pytest.mark.django_db


def unit(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_vectors_round_trip_exactly_per_model_version() -> None:
    store = DatabaseVectorStore()
    store.put_many({"a" * 64: unit(1), "b" * 64: unit(2)}, "model-1")
    store.put_many({"a" * 64: unit(3, dim=4)}, "model-2")

    got = store.get_many(["a" * 64, "b" * 64, "c" * 64], "model-1")
    assert sorted(got) == ["a" * 64, "b" * 64]
    assert got["a" * 64].dtype == np.float32
    assert np.array_equal(got["a" * 64], unit(1))
    assert np.array_equal(got["b" * 64], unit(2))
    other = store.get_many(["a" * 64], "model-2")
    assert np.array_equal(other["a" * 64], unit(3, dim=4))
    assert TextVector.objects.get(key="a" * 64, model_version="model-2").dim == 4


def test_a_second_put_of_a_stored_key_keeps_the_first_vector() -> None:
    store = DatabaseVectorStore()
    store.put_many({"k" * 64: unit(1)}, "m")
    store.put_many({"k" * 64: unit(2), "j" * 64: unit(3)}, "m")

    assert TextVector.objects.filter(model_version="m").count() == 2
    assert np.array_equal(store.get_many(["k" * 64], "m")["k" * 64], unit(1))


def test_get_many_reads_in_one_query_per_batch() -> None:
    store = DatabaseVectorStore()
    n = BATCH * 2 + 7
    keys = [f"{i:064d}" for i in range(n)]
    store.put_many({k: unit(i) for i, k in enumerate(keys)}, "m")

    with CaptureQueriesContext(connection) as queries:
        got = store.get_many(keys, "m")
    assert len(got) == n
    assert len(queries) == 3
    assert np.array_equal(got[keys[-1]], unit(n - 1))


def test_a_row_whose_bytes_do_not_match_its_dim_is_not_trusted() -> None:
    TextVector.objects.create(key="t" * 64, model_version="m", dim=8, vector=b"\x00" * 12)

    assert DatabaseVectorStore().get_many(["t" * 64], "m") == {}
