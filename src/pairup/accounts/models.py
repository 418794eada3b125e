from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from pairup.core.validators import validate_languages, validate_timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """One person. Signs in with email; may be a mentor, a mentee and an admin at once."""

    # None removes AbstractUser's field (Django's way); the stubs type the fields as str.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    # A custom user model brings its own BaseUserManager (auth's UserManager needs a
    # username); the stubs pin AbstractUser.objects to auth's UserManager.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        # Never fall back to the email address: it must not reach other people.
        return f"Member {self.pk}"


class Level(models.TextChoices):
    FAMILIAR = "familiar", "Familiar"
    EXPERIENCED = "experienced", "Experienced"
    EXPERT = "expert", "Expert"


class Profile(models.Model):
    """What a person shows others. The email address is never part of it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    headline = models.CharField(max_length=140, blank=True)
    bio = models.TextField(max_length=4000, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    site = models.CharField("site or team", max_length=80, blank=True)
    # The reporting line: a person is never matched with their manager, either way.
    manager_email = models.EmailField(
        "manager's email", blank=True, help_text="You are never matched with your manager"
    )
    tags = models.JSONField(default=list, blank=True)
    goals = models.ManyToManyField("topics.Topic", blank=True, related_name="+")
    # A square JPEG the server made from the person's upload (accounts.photos), under a
    # random name; empty: an initials avatar is drawn instead.
    photo = models.ImageField(upload_to="avatars/", blank=True)
    # The first-run guide (site.welcome): the step the person has reached, and when they
    # finished or left it. Until then the home page sends them back to that step.
    welcome_step = models.CharField(max_length=20, blank=True)
    welcomed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or str(self.user_id)

    @property
    def is_complete(self) -> bool:
        return bool(self.display_name and self.headline)


class Expertise(models.Model):
    """A topic a person can help with as a mentor, and how well they know it."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="expertise")
    topic = models.ForeignKey("topics.Topic", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.EXPERIENCED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "topic"], name="expertise_once_per_topic"),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="expertise_level_valid"
            ),
        ]
        ordering = ["topic__name"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.level})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "pu_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The last characters, to tell tokens apart")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name or 'token'} …{self.hint}"

    @classmethod
    def new_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
