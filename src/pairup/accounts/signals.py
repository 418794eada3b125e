from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Profile, User


@receiver(post_save, sender=User)
def create_profile(sender: type[User], instance: User, created: bool, **kwargs: object) -> None:
    # Every user has a profile from the start, however the user was created.
    if created:
        Profile.objects.get_or_create(user=instance)


@receiver(password_reset)
def confirm_address_on_reset(sender: Any, user: User, **kwargs: Any) -> None:
    """A password set from an emailed link proves that its owner reads the address it went
    to. With one address on the account, that is the one: someone a roster import brought
    in (no password, address not yet confirmed) then signs in at once, without a second
    email asking them to confirm what they just used."""
    addresses = list(EmailAddress.objects.filter(user=user))
    if len(addresses) == 1 and not addresses[0].verified:
        addresses[0].verified = True
        addresses[0].save(update_fields=["verified"])
