"""Each response and request schema of the API has its own name: django-ninja names the
OpenAPI components by class name, so two classes called the same would document one shape
for both (found by make fuzz: the mentor queue's TopicOut replaced the topics list's)."""

from __future__ import annotations

import pytest
from ninja import Schema

from pairup.site.api import api


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out += _subclasses(sub)
    return out


@pytest.mark.django_db
def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # imports every router
    ours = [c for c in _subclasses(Schema) if c.__module__.startswith("pairup.")]
    seen: dict[str, str] = {}
    clashes = []
    for cls in ours:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert clashes == []
