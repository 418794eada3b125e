import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "src" / "pairup" / "engine"


def test_engine_sources_import_no_django():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_engine_sources_exist():
    assert (ENGINE / "__init__.py").exists()
    assert len(list(ENGINE.glob("*.py"))) >= 8
