from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "pairup.insights"
    label = "insights"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .freshness import flush_at_request_end, watch_connection

        connection_created.connect(watch_connection, dispatch_uid="insights-watch-writes")
        request_finished.connect(flush_at_request_end, dispatch_uid="insights-flush-stamp")
        # Connections opened before the app was ready (a management command's checks).
        for conn in connections.all(initialized_only=True):
            watch_connection(None, conn)
