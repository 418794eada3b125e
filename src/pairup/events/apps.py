from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pairup.events"
    label = "events"

    def ready(self) -> None:
        from pairup.core.vectors import register_texts_in_use

        from .scheduling.records import open_event_texts

        register_texts_in_use(open_event_texts)
