"""`pairup relevance`: which relevance this server runs (hybrid: lexical with the
sentence-embedding model; lexical) and how many vectors are stored for its model. Loads the
model, as the server does on its first match."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pairup.core.vectors import relevance_backend, relevance_in_words


class Command(BaseCommand):
    help = "Say which relevance matching runs (hybrid or lexical) and the vectors stored."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Relevance: {relevance_in_words()}")
        backend = relevance_backend()
        if backend is not None:
            embedder, store = backend
            self.stdout.write(f"Vectors stored for this model: {store.count(embedder.version)}")
