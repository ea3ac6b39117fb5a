"""Routing-rule pages, under /routing/."""

from django.urls import path

from xinfang.routing import views

app_name = "routing"
urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/withdraw/", views.rule_withdraw_view, name="rule_withdraw"),
    path("rules/<int:rule_id>/restore/", views.rule_restore_view, name="rule_restore"),
    path("check/", views.rule_check, name="check"),
]
