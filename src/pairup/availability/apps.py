from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "pairup.availability"
    label = "availability"
