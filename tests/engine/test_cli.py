import csv
import json

import pytest

from pairup.engine.cli import main
from pairup.engine.io import InputError, read_asks, read_mentors

MENTORS = [
    {"id": 1, "text": "salary negotiation", "history": ["negotiate an offer"], "capacity": 1},
    {"id": "b", "text": "public speaking", "topics": [{"topic": "soft/talk", "level": "expert"}]},
]
ASKS = [{"id": "q1", "text": "negotiate my offer"}, {"id": 7, "text": "public speaking tips"}]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture(autouse=True)
def _lexical(monkeypatch):
    """These tests pin the lexical mode (the hybrid one has tests of its own in
    test_semantic.py, with the model loaded once)."""
    monkeypatch.setenv("PAIRUP_RELEVANCE", "lexical")


def after_mode(err: str, command: str) -> str:
    """stderr without its first line, which names the relevance mode."""
    first, _, rest = err.partition("\n")
    assert first == f"pairup {command}: relevance lexical"
    return rest


@pytest.fixture
def files(tmp_path):
    return write_jsonl(tmp_path / "m.jsonl", MENTORS), write_jsonl(tmp_path / "a.jsonl", ASKS)


def test_cli_recommend_writes_one_line_per_ask(tmp_path, files):
    out = tmp_path / "o.jsonl"
    assert (
        main(
            ["recommend", "--mentors", files[0], "--asks", files[1], "--k", "1", "--out", str(out)]
        )
        == 0
    )
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["ask"] for r in rows] == ["q1", 7]
    assert [r["mentors"][0]["id"] for r in rows] == [1, "b"]
    assert set(rows[0]["mentors"][0]) == {"id", "score", "reasons"}


def test_cli_match_writes_assignments_summary_and_scores(tmp_path, files, capsys):
    out, dump = tmp_path / "o.jsonl", tmp_path / "s.csv"
    code = main(
        [
            "match",
            "--mentors",
            files[0],
            "--asks",
            files[1],
            "--out",
            str(out),
            "--dump-scores",
            str(dump),
        ]
    )
    assert code == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["ask"], r["mentor"]) for r in rows] == [("q1", 1), (7, "b")]
    assert set(rows[0]) == {"ask", "mentor", "score", "reasons", "unmatched_reason"}
    pairs = list(csv.DictReader(dump.open()))
    assert len(pairs) == 4 and set(pairs[0]) == {"ask", "mentor", "score"}
    err = after_mode(capsys.readouterr().err, "match")
    assert err.startswith("matched 2, unmatched 0, total score")
    assert "(certified optimal after 1 flow solve(s), " in err


def test_cli_match_csv_output(tmp_path, files):
    out = tmp_path / "o.csv"
    assert main(["match", "--mentors", files[0], "--asks", files[1], "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["ask"], r["mentor"]) for r in rows] == [("q1", "1"), ("7", "b")]


def test_cli_reads_csv_twins(tmp_path):
    (tmp_path / "m.csv").write_text(
        "id,text,topics,capacity,free\n1,sql help,hard/sql:expert;career,2,"
        "2026-11-24T10:00Z/2026-11-24T11:00Z\n"
    )
    mentors = read_mentors(tmp_path / "m.csv")
    assert mentors[0].id == 1 and mentors[0].capacity == 2
    assert [t.level for t in mentors[0].topics] == ["expert", None]
    assert len(mentors[0].free) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "x"}', "m.jsonl:2: field 'id': missing"),
        ('{"id": 1, "text": "y"}', "m.jsonl:2: field 'id': duplicate id 1 (first on line 1)"),
        ('{"id": 2, "text": 5}', "m.jsonl:2: field 'text': must be a string"),
        (
            '{"id": 2, "text": "x", "capacity": -1}',
            "m.jsonl:2: field 'capacity': must be >= 0, got -1",
        ),
        (
            '{"id": 2, "text": "x", "free": [["soon", "later"]]}',
            "m.jsonl:2: field 'free': bad time 'soon'",
        ),
        (
            '{"id": 2, "text": "x", "colour": "red"}',
            "m.jsonl:2: field 'colour': unknown field for a mentor",
        ),
        (
            '{"id": 2, "text": "x", "timezone": "Mars/Base"}',
            "m.jsonl:2: field 'timezone': unknown IANA time zone 'Mars/Base'",
        ),
    ],
)
def test_read_mentors_reports_file_line_and_field(tmp_path, line, message):
    path = tmp_path / "m.jsonl"
    path.write_text('{"id": 1, "text": "x"}\n' + line + "\n")
    with pytest.raises(InputError) as err:
        read_mentors(path)
    assert str(err.value) == f"{path.parent}/{message}"


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, files, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x", "duration": 0}\n')
    out = tmp_path / "o.jsonl"
    assert main(["match", "--mentors", files[0], "--asks", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("bad.jsonl:1: field 'duration': must be >= 1, got 0")
    )


def test_read_asks_defaults_exclude_nobody(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "x", "topics": ["career"]}\n')
    (ask,) = read_asks(path)
    assert (ask.text, ask.free, ask.exclude, ask.languages, ask.duration) == ("", None, (), (), 30)


def test_cli_rotate_and_tables(tmp_path, files, capsys):
    out = tmp_path / "r.jsonl"
    code = main(
        ["rotate", "--mentors", files[0], "--mentees", files[1], "--rounds", "2", "--out", str(out)]
    )
    assert code == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted((r["round"], str(r["mentee"])) for r in rows) == [
        (1, "7"),
        (1, "q1"),
        (2, "7"),
        (2, "q1"),
    ]
    assert after_mode(
        capsys.readouterr().err, "rotate"
    ) == "4 meetings in 2 rounds, total score " + (f"{sum(r['score'] for r in rows):.6f}\n")
    mentees = write_jsonl(tmp_path / "e.jsonl", [{"id": 1, "topics": ["soft/talk/nerves"]}])
    out = tmp_path / "t.csv"
    assert (
        main(
            [
                "tables",
                "--mentors",
                files[0],
                "--mentees",
                mentees,
                "--table-size",
                "4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert list(csv.DictReader(out.open())) == [
        {"mentor": "b", "topic": "soft/talk", "mentees": "1", "score": "0.266667"}
    ]


def test_cli_buddies_pairs_by_relevance_and_names_who_is_left(tmp_path, files, capsys):
    from pairup.cli import main as pairup

    mentees = write_jsonl(tmp_path / "e.jsonl", [*ASKS, {"id": "z", "text": "negotiate pay"}])
    out = tmp_path / "b.jsonl"
    args = ["buddies", "--mentors", files[0], "--mentees", mentees, "--out", str(out)]
    # Through the `pairup` command, which hands engine commands over without Django.
    assert pairup(args) == 0  # "auto" by default: three mentees, two mentors, one trio
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["mentor"], r["mentees"]) for r in rows] == [(1, ["q1", "z"]), ("b", [7])]
    total = round(sum(r["score"] for r in rows), 6)
    assert after_mode(capsys.readouterr().err, "buddies") == (
        f"1 pairs, 1 trios, 0 unmatched, total score {total:.6f}\n"
    )
    out = tmp_path / "b.csv"
    args = ["buddies", "--mentors", files[0], "--mentees", mentees, "--out", str(out)]
    assert main([*args, "--share", "1"]) == 0
    got = [(r["mentor"], r["mentees"], r["unmatched_reason"]) for r in csv.DictReader(out.open())]
    assert got == [("1", "q1", ""), ("b", "7", ""), ("", "z", "every eligible mentor is full")]
    assert main([*args, "--share", "3"]) == 2
    assert "argument --share: invalid choice: '3'" in capsys.readouterr().err


def test_cli_bad_policy_exits_2(tmp_path, files, capsys):
    policy = tmp_path / "p.json"
    policy.write_text('{"relevance_weight": "high"}')
    code = main(["match", "--mentors", files[0], "--asks", files[1], "--policy", str(policy)])
    assert code == 2
    assert "policy field 'relevance_weight': expected float" in capsys.readouterr().err


def test_cli_match_workers_must_be_positive(files, capsys):
    assert main(["match", "--mentors", files[0], "--asks", files[1], "--workers", "0"]) == 2
    assert "--workers: must be at least 1, not 0" in capsys.readouterr().err


def test_cli_match_with_two_workers_gives_the_same_lines(tmp_path, files):
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"o{workers}.jsonl"
        args = ["match", "--mentors", files[0], "--asks", files[1], "--out", str(out)]
        assert main([*args, "--workers", workers]) == 0
        outs.append(out.read_text())
    assert outs[0] == outs[1]


@pytest.mark.parametrize(
    "policy, message",
    [
        ('{"availability_weight": -0.5}', "policy field 'availability_weight': must be >= 0"),
        (
            '{"level_weights": {"expert": 50}}',
            "policy field 'level_weights': every weight must be between 0 and 1",
        ),
        ('{"max_df": 0}', "policy field 'max_df': must be > 0 and <= 1"),
    ],
)
def test_cli_policy_out_of_range_exits_2(tmp_path, files, capsys, policy, message):
    path = tmp_path / "p.json"
    path.write_text(policy)
    code = main(["match", "--mentors", files[0], "--asks", files[1], "--policy", str(path)])
    assert code == 2
    assert message in capsys.readouterr().err


MENTOR_HEADER = "id,name,text,history,topics,capacity,load,site,languages,timezone,free"
MENTOR_ROW = "1,Ana,salary negotiation,,career,2,1,Berlin,en,Europe/Berlin,"


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        # A row cut short (4 of 11 cells): its values would land in the wrong columns' place.
        (
            f"{MENTOR_HEADER}\n{MENTOR_ROW}\n2,Bo,public speaking,\n",
            "m.csv:3: field 'topics': missing: the row has 4 cells, the header 11",
        ),
        (
            f"{MENTOR_HEADER}\n{MENTOR_ROW}\n{MENTOR_ROW.replace('1,', '3,', 1)},extra,cells\n",
            "m.csv:3: the row has 13 cells, the header 11 (quote a value that holds a comma)",
        ),
        # An unknown column is refused at the header even when all its cells are empty.
        (
            "id,text,colour\n1,salary negotiation,\n",
            "m.csv:1: field 'colour': unknown column for a mentor (known: "
            "id, name, text, history, topics, capacity, load, site, languages, timezone, free)",
        ),
        ("id,text,text\n1,a,b\n", "m.csv:1: field 'text': column given twice"),
        ("id,text,\n1,a,\n", "m.csv:1: column 3 has no name"),
        ("name,text\nAna,a\n", "m.csv:1: field 'id': missing column"),
    ],
)
def test_read_mentors_refuses_csv_rows_of_the_wrong_shape(tmp_path, csv_text, message):
    path = tmp_path / "m.csv"
    path.write_text(csv_text)
    with pytest.raises(InputError) as err:
        read_mentors(path)
    assert str(err.value) == f"{path.parent}/{message}"


def test_read_csv_skips_blank_lines_and_rows_of_empty_cells(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text,duration\n\nq1,negotiate,45\n,,\n")
    assert [(a.id, a.duration) for a in read_asks(path)] == [("q1", 45)]


@pytest.mark.parametrize("command", ["recommend", "match", "rotate", "tables", "buddies"])
def test_cli_short_csv_row_exits_2_and_writes_nothing(tmp_path, files, capsys, command):
    mentees = tmp_path / "a.csv"
    mentees.write_text("id,text,topics,site,languages,timezone,duration,free,exclude\nq1,a,b,c\n")
    out = tmp_path / "o.jsonl"
    inputs = ["--asks" if command in ("recommend", "match") else "--mentees", str(mentees)]
    extra = {"rotate": ["--rounds", "1"], "tables": ["--table-size", "2"]}.get(command, [])
    code = main([command, "--mentors", files[0], *inputs, *extra, "--out", str(out)])
    assert code == 2
    assert not out.exists()
    assert capsys.readouterr().err == (
        f"pairup {command}: {mentees}:2: field 'languages': missing: "
        "the row has 4 cells, the header 9\n"
    )


@pytest.mark.parametrize("broken", ["--out", "--dump-scores"])
def test_cli_output_into_a_missing_folder_exits_2_and_writes_nothing(
    tmp_path, files, capsys, broken
):
    paths = {"--out": tmp_path / "o.jsonl", "--dump-scores": tmp_path / "s.csv"}
    paths[broken] = tmp_path / "no-such-folder" / "x.csv"
    args = ["match", "--mentors", files[0], "--asks", files[1]]
    code = main([*args, "--out", str(paths["--out"]), "--dump-scores", str(paths["--dump-scores"])])
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "m.jsonl"]
    assert capsys.readouterr().err == (
        f"pairup match: {broken}: cannot write {paths[broken]}: "
        f"folder {tmp_path / 'no-such-folder'} does not exist\n"
    )


def test_cli_output_onto_a_folder_exits_2(tmp_path, files, capsys):
    code = main(["recommend", "--mentors", files[0], "--asks", files[1], "--out", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"pairup recommend: --out: cannot write {tmp_path}: it is a folder\n"
    )
