"""`pairup embed [--rebuild] [--prune] [--program SLUG]`: store the vectors of every text
the app embeds for semantic relevance (`core.vectors.texts_in_use`: mentors' profiles and
past asks, asks, and the registrations of the events not ended nor cancelled: mentees'
wants and topics, mentors' profiles with the topics they registered for), in every program
or one.

Without --rebuild only texts with no stored vector for the installed model are encoded (what
the background tasks keep up to date anyway: use it after a bulk import, or to warm a new
install). With --rebuild every text of the scope is encoded again and its stored vector
replaced, batch by batch, so matching always finds one meanwhile (after a change to the
model package that kept its version, or to check the timing). With --prune, the stored
vectors of the installed model that none of those texts has any more (a profile or ask
edited since, a mentor removed, a registration of an event that ended) are then deleted, in
one transaction; rows stored after the
command started are kept (a task may have stored a text saved meanwhile), and a text some
other use reads again is encoded again then. A progress bar shows on a terminal (stderr),
nothing when piped. Exits 2 with one line when there is no model to embed with
(PAIRUP_RELEVANCE=lexical, or the model is not installed), the program is unknown, or
--prune is given with --program (what one program no longer reads, another may).

The texts to encode go to the model longest first, BATCH at a time: each encode call holds
texts of about one length, so little of a batch is padding, and is large enough for the
model's own batches and all of torch's threads.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from pairup.core.models import TextVector
from pairup.core.vectors import (
    DatabaseVectorStore,
    relevance_backend,
    relevance_in_words,
    texts_in_use,
)
from pairup.engine.cli import progress
from pairup.engine.embedding import Embedder, document_chunks, text_key
from pairup.programs.models import Program

NAME = "pairup embed"
# Texts per encode call: several of the model's own batches (64) of one length, small
# enough for the progress bar to move and for a batch's rows to be one short transaction.
BATCH = 512
# Stored rows read or deleted per query when pruning.
PRUNE_BATCH = 500


class Command(BaseCommand):
    help = "Store the vectors of every text the app embeds; --rebuild encodes them all again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="encode every text again and replace its stored vector (default: only new texts)",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="then delete the stored vectors no text in use has any more",
        )
        parser.add_argument("--program", help="only this program (its slug); default: every one")

    def fail(self, line: str) -> None:
        self.stderr.write(line)
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["prune"] and options["program"]:
            self.fail(
                f"{NAME}: --prune reads every program (what one no longer reads, another "
                "may): drop --program."
            )
        started = timezone.now()
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
        for chunk in document_chunks(texts_in_use(programs)):
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
        if options["prune"]:
            pruned = prune(embedder.version, set(texts), before=started)
            self.stdout.write(
                f"{pruned} stored vector{'s' if pruned != 1 else ''} no text has any more deleted."
            )

    def encode(
        self,
        embedder: Embedder,
        store: DatabaseVectorStore,
        todo: dict[str, str],
        *,
        replace: bool,
    ) -> int:
        # Longest first (ties by key): texts of one length share an encode call.
        keys = sorted(todo, key=lambda k: (-len(todo[k]), k))
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


def prune(version: str, keep: set[str], *, before: datetime) -> int:
    """Delete the vectors of `version` stored before `before` whose key is not in `keep`, in
    one transaction; how many."""
    with transaction.atomic():
        rows = TextVector.objects.filter(model_version=version, created_at__lt=before)
        stale = [pk for pk, key in rows.values_list("pk", "key").iterator() if key not in keep]
        for lo in range(0, len(stale), PRUNE_BATCH):
            TextVector.objects.filter(pk__in=stale[lo : lo + PRUNE_BATCH]).delete()
    return len(stale)
