"""The base of every API input: no control characters in any text, wherever it sits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeAlias, TypeVar

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator

from .validators import text_problem


def _check(value: Any, *, multiline: bool) -> None:
    if isinstance(value, str):
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, multiline=multiline)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, multiline=False)
            _check(item, multiline=multiline)
    # Nested schemas are Input too and check themselves; numbers and dates have no text.
    elif isinstance(value, BaseModel) and not isinstance(value, Input):
        _check(value.model_dump(), multiline=multiline)


class Input(Schema):
    """Every request body schema derives from this. Each text in it (nested in lists too) is
    single-line unless its field is named in `multiline`; a control character is a 422
    naming the field. Unknown fields stay ignored."""

    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        _check(value, multiline=info.field_name in cls.multiline)
        return value


def _single_line(value: str) -> str:
    _check(value, multiline=False)
    return value


# For query and path parameters, which are not part of a body schema.
Line = Annotated[str, AfterValidator(_single_line)]


T = TypeVar("T")

if TYPE_CHECKING:
    # What the code reads: the value, or None when the field was left out.
    Omittable: TypeAlias = T | None
else:

    class Omittable:
        """`field: Omittable[str] = Field(default=None)`: a field the client may leave out
        (the attribute is then None) but may not send as null. The schema and validation
        see the bare type (`str`, not nullable); the type checker sees `str | None`."""

        def __class_getitem__(cls, item: object) -> object:
            return item
