"""`pairup embed [--rebuild] [--prune] [--program SLUG]` and `pairup relevance`, on the real database
and (marked `semantic`) the real model."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pairup.accounts.models import Profile
from pairup.asks import services
from pairup.asks.management.commands.embed import prune
from pairup.asks.matching.vectors import program_texts
from pairup.core.models import TextVector
from pairup.engine.embedding import document_chunks, text_key
from pairup.programs.models import Program
from tests.factories import make_mentor

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def texts(program, mentee, other_program):
    make_mentor(program, topics={"sql": "expert"}, display_name="Sol Query", bio="Databases.")
    make_mentor(other_program, topics={"sql": "expert"}, display_name="Gil Globex", bio="Excel.")
    services.ask_create(
        program=program,
        mentee=mentee,
        topics=["sql"],
        question="How do I find the slow query in a report that takes a minute to load?",
    )
    return {text_key(c) for c in document_chunks(program_texts(program))}


@pytest.mark.semantic
def test_embed_stores_what_is_missing_then_nothing_then_rebuilds(program, texts):
    TextVector.objects.all().delete()  # as on an install that never ran the tasks

    first, _ = run("embed", "--program", program.slug)
    version = TextVector.objects.values_list("model_version", flat=True).first()
    stored = set(TextVector.objects.values_list("key", flat=True))
    again, _ = run("embed", "--program", program.slug)
    ids_before = set(TextVector.objects.values_list("pk", flat=True))
    rebuilt, _ = run("embed", "--rebuild", "--program", program.slug)

    n = len(texts)
    assert stored == texts  # this program's texts only: the other program's are not read
    assert first.startswith(f"{n} texts of 1 program: {n} encoded, 0 already stored ({version}, ")
    assert again.startswith(f"{n} texts of 1 program: 0 encoded, {n} already stored")
    assert rebuilt.startswith(f"{n} texts of 1 program: {n} encoded, 0 already stored")
    assert set(TextVector.objects.values_list("key", flat=True)) == texts
    assert not ids_before & set(TextVector.objects.values_list("pk", flat=True))  # replaced


@pytest.mark.semantic
def test_prune_deletes_the_vectors_of_edited_texts_only(program, texts):
    run("embed")
    sol = Profile.objects.get(display_name="Sol Query")
    Profile.objects.filter(pk=sol.pk).update(bio="Databases, and reports that load slowly.")
    old = TextVector.objects.count()

    out, _ = run("embed", "--prune")

    every = {text_key(c) for p in Program.objects.all() for c in document_chunks(program_texts(p))}
    assert set(TextVector.objects.values_list("key", flat=True)) == every
    assert TextVector.objects.count() == old  # the new bio's vector in, the old one's out
    lines = out.splitlines()
    assert lines[0].startswith(f"{len(every)} texts of 2 programs: 1 encoded, ")
    assert lines[1] == "1 stored vector no text has any more deleted."
    again, _ = run("embed", "--prune")
    assert again.splitlines()[1] == "0 stored vectors no text has any more deleted."


def test_prune_keeps_other_models_and_rows_stored_since_it_started(db):
    now = timezone.now()

    def row(key: str, version: str, age: int) -> None:
        TextVector.objects.create(
            key=key,
            model_version=version,
            dim=1,
            vector=b"\0" * 4,
            created_at=now - timedelta(seconds=age),
        )

    row("kept", "m/1", 60)
    row("stale", "m/1", 60)
    row("new", "m/1", 0)  # stored by a task after the command started
    row("stale", "m/2", 60)  # another model's: not this one's to judge

    assert prune("m/1", {"kept"}, before=now - timedelta(seconds=1)) == 1
    assert sorted(TextVector.objects.values_list("key", "model_version")) == [
        ("kept", "m/1"),
        ("new", "m/1"),
        ("stale", "m/2"),
    ]


def test_prune_with_one_program_exits_2(program):
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("embed", "--prune", "--program", program.slug, stderr=err)
    assert exit.value.code == 2
    assert err.getvalue().strip() == (
        "pairup embed: --prune reads every program (what one no longer reads, another may): "
        "drop --program."
    )


def test_embed_in_the_lexical_mode_exits_2_and_says_why(program):
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("embed", stderr=err)
    assert exit.value.code == 2
    assert err.getvalue().strip() == (
        "pairup embed: nothing to embed with: relevance is lexical (PAIRUP_RELEVANCE=lexical). "
        "Install the model (`make install`) and unset PAIRUP_RELEVANCE to run hybrid."
    )
    assert TextVector.objects.count() == 0


def test_embed_of_an_unknown_program_exits_2(program):
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("embed", "--program", "nope", stderr=err)
    assert exit.value.code == 2
    assert err.getvalue().strip() == "pairup embed: no program has the slug 'nope'."


def test_relevance_command_says_the_mode(db):
    out, _ = run("relevance")
    assert out == "Relevance: lexical (PAIRUP_RELEVANCE=lexical)\n"
