from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "xinfang.resolution"
    label = "resolution"
    verbose_name = "化解与督办"
