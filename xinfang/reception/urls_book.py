"""The petitioner's booking pages, under /reception/book/ (public, no login)."""

from django.urls import path

from xinfang.reception.views import book

app_name = "reception_book"
urlpatterns = [
    path("", book.sessions, name="sessions"),
    path("<int:session_id>/", book.book, name="book"),
    path("done/<str:code>/", book.booked, name="booked"),
    path("find/", book.find, name="find"),
]
