"""Rows every app may use. `TextVector`: the embedding of one text by one model, cached."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TextVector(models.Model):
    """One text's embedding by one model version, keyed by the text's hash
    (`engine.embedding.text_key`), never by the text itself: the same words in a profile,
    a past ask and a new ask are encoded once. Rows are never updated: a changed text has a
    new key, a new model a new version (`pairup embed --rebuild` fills it)."""

    key = models.CharField(max_length=64)
    model_version = models.CharField(max_length=100)
    dim = models.PositiveSmallIntegerField()
    # float32, little-endian, `dim` of them: portable across SQLite and PostgreSQL and a
    # third the size of a JSON list; pgvector is not required.
    vector = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "model_version"], name="core_textvector_one_per_text_and_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({self.model_version}, {self.dim})"
