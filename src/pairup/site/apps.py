from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: the URL conf, the API assembly, the home page, navigation and the
    demo. The only app that may import every other app."""

    name = "pairup.site"
    label = "site"
