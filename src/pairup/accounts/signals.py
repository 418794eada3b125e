from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Profile, User


@receiver(post_save, sender=User)
def create_profile(sender: type[User], instance: User, created: bool, **kwargs: object) -> None:
    # Every user has a profile from the start, however the user was created.
    if created:
        Profile.objects.get_or_create(user=instance)
