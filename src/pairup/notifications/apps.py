from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pairup.notifications"
    label = "notifications"
