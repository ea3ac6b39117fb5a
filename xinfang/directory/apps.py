from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "xinfang.directory"
    label = "directory"
    verbose_name = "机构与人员"
