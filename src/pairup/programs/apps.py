from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "pairup.programs"
    label = "programs"
