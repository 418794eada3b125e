"""How a person looks on a page: `{% avatar person %}` draws their photo, or a circle with
their initials in a colour of their own (from their id, so it is the same on every page).

`person` is a User or a Profile; its profile should be loaded already (select_related), as
for the name beside it. The avatar is decorative (alt=""): the name is always shown next to
it, so a screen reader does not hear it twice."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pairup.accounts.models import Profile, User

register = template.Library()

# Eight colours, each with white text at a contrast ratio of at least 4.5:1.
PALETTE_SIZE = 8
SIZES = {"xs": 24, "sm": 32, "md": 48, "lg": 96}


def initials(name: str) -> str:
    """Up to two letters: the first of the first and of the last word ("Priya Raman" → PR,
    "Cher" → C, "李雷" → 李); "?" for no name."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def _profile_of(person: User | Profile | None) -> tuple[Profile | None, int, str]:
    if isinstance(person, Profile):
        return person, person.user_id, person.display_name
    if isinstance(person, User):
        profile = getattr(person, "profile", None)
        return profile, person.pk, person.display_name
    return None, 0, ""


@register.simple_tag
def avatar(person: User | Profile | None, size: str = "sm") -> SafeString:
    profile, user_id, name = _profile_of(person)
    pixels = SIZES.get(size, SIZES["sm"])
    if profile is not None and profile.photo:
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            size,
            profile.photo.url,
            pixels,
            pixels,
        )
    if profile is not None and not profile.display_name:
        name = ""
    return format_html(
        '<span class="avatar avatar-{} avatar-c{}" aria-hidden="true">{}</span>',
        size,
        (user_id or 0) % PALETTE_SIZE,
        initials(name),
    )
