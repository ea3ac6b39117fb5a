"""URLs of repeat petitions (same matter, linking) and hot issues, under /insight/."""

from django.urls import path

from xinfang.insight.hot import views as hot_views
from xinfang.insight.matters import views as matters_views

app_name = "matters"
urlpatterns = [
    path("hot/", hot_views.hot_page, name="hot"),
    path(
        "petitions/<int:petition_id>/matter/<str:op>/",
        matters_views.matter_change,
        name="matter_change",
    ),
]
