"""`pairup embed [--rebuild] [--program SLUG]`: store the vectors of every text matching
reads (mentors' profiles and past asks, asks) for semantic relevance, in every program or
one.

Without --rebuild only texts with no stored vector for the installed model are encoded (what
the background tasks keep up to date anyway: use it after a bulk import, or to warm a new
install). With --rebuild every text of the scope is encoded again and its stored vector
replaced, batch by batch, so matching always finds one meanwhile (after a change to the
model package that kept its version, or to check the timing). A progress bar shows on a
terminal (stderr), nothing when piped. Exits 2 with one line when there is no model to embed
with (PAIRUP_RELEVANCE=lexical, or the model is not installed) or the program is unknown.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from pairup.asks.matching.vectors import program_texts
from pairup.core.models import TextVector
from pairup.core.vectors import DatabaseVectorStore, relevance_backend, relevance_in_words
from pairup.engine.cli import progress
from pairup.engine.embedding import Embedder, document_chunks, text_key
from pairup.programs.models import Program

NAME = "pairup embed"
# Texts per encode call: large enough for the model's own batching, small enough for the
# progress bar to move and for a batch's rows to be one short transaction.
BATCH = 64


class Command(BaseCommand):
    help = "Store the vectors of every text matching reads; --rebuild encodes them all again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="encode every text again and replace its stored vector (default: only new texts)",
        )
        parser.add_argument("--program", help="only this program (its slug); default: every one")

    def fail(self, line: str) -> None:
        self.stderr.write(line)
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        programs = Program.objects.order_by("pk")
        if options["program"]:
            programs = programs.filter(slug=options["program"])
            if not programs.exists():
                self.fail(f"{NAME}: no program has the slug {options['program']!r}.")
        backend = relevance_backend()
        if backend is None:
            self.fail(
                f"{NAME}: nothing to embed with: relevance is {relevance_in_words()}. Install "
                "the model (`make install`) and unset PAIRUP_RELEVANCE to run hybrid."
            )
        assert backend is not None
        embedder, store = backend
        t0 = time.perf_counter()
        # What the engine stores is each text's chunks (a short text is one chunk): key
        # and encode those, as `embedding.embed_documents` does.
        texts: dict[str, str] = {}
        for program in programs:
            for chunk in document_chunks(program_texts(program)):
                texts.setdefault(text_key(chunk), chunk)
        if options["rebuild"]:
            todo = texts
        else:
            stored = store.get_many(list(texts), embedder.version)
            todo = {k: t for k, t in texts.items() if k not in stored}
        encoded = self.encode(embedder, store, todo, replace=options["rebuild"])
        seconds = time.perf_counter() - t0
        n = len(programs)
        self.stdout.write(
            f"{len(texts)} texts of {n} program{'s' if n != 1 else ''}: {encoded} encoded, "
            f"{len(texts) - encoded} already stored ({embedder.version}, {seconds:.1f} s)."
        )

    def encode(
        self,
        embedder: Embedder,
        store: DatabaseVectorStore,
        todo: dict[str, str],
        *,
        replace: bool,
    ) -> int:
        keys = list(todo)
        batches: Sequence[list[str]] = [keys[i : i + BATCH] for i in range(0, len(keys), BATCH)]
        for batch in progress(batches, len(batches), "Embedding"):
            vectors = embedder.encode([todo[k] for k in batch])
            with transaction.atomic():
                if replace:
                    TextVector.objects.filter(
                        model_version=embedder.version, key__in=batch
                    ).delete()
                store.put_many(dict(zip(batch, vectors, strict=True)), embedder.version)
        return len(keys)
