"""``django.contrib.admin`` with the site of ``directory.admin_site`` (ADR 0013). A module of
its own: the app registry imports it before any model exists."""

from django.contrib.admin.apps import AdminConfig


class XinfangAdminConfig(AdminConfig):
    default_site = "xinfang.directory.admin_site.XinfangAdminSite"
