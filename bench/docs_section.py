"""The benchmarks' own sections of docs/benchmarks.md: each script writes its figures between
its two markers (`<!-- name:start -->` ... `<!-- name:end -->`), leaving the rest alone."""

from __future__ import annotations

from pathlib import Path


def write_section(docs: Path, start: str, end: str, section: str) -> None:
    """Put `section` (which begins with `start` and ends with `end`) in place of the one
    between those markers in `docs`, or at its end the first time."""
    text = docs.read_text()
    section = section.rstrip("\n") + "\n"
    if start in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n") if end in rest else ""
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    docs.write_text(text)
