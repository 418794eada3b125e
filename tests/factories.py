from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from pairup.accounts.models import Expertise, User
from pairup.programs.models import Membership, MentorStatus, Program
from pairup.topics.models import Topic

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def profile_fields(self, create: bool, extracted: dict | None, **kwargs: object) -> None:
        self.save()
        EmailAddress.objects.get_or_create(user=self, email=self.email, verified=True, primary=True)
        fields = {
            "display_name": f"Person {self.pk}",
            "headline": "Works here",
            # People of the tests have been here a while: past the first-run guide (pass
            # welcomed_at=None for someone new).
            "welcomed_at": timezone.now(),
            **(extracted or {}),
        }
        for k, v in fields.items():
            setattr(self.profile, k, v)
        self.profile.save()


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    session_lengths = [30, 45]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    is_mentee = True


def make_mentor(
    program: Program, *, topics: dict[str, str] | None = None, **profile: object
) -> User:
    """An approved mentor of `program` with expertise {slug: level}."""
    user = UserFactory(profile_fields=profile)
    Membership.objects.create(
        program=program, user=user, is_mentor=True, mentor_status=MentorStatus.APPROVED
    )
    for slug, level in (topics or {}).items():
        Expertise.objects.create(
            profile=user.profile, topic=Topic.objects.get(slug=slug), level=level
        )
    return user
