from django.urls import path

from xinfang.portal import suggestions, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("receipt/", views.receipt, name="receipt"),
    path("submitted/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("suggestions/", suggestions.suggestions, name="suggestions"),
    path("forget/", views.forget, name="forget"),
    path("p/<str:code>/", views.status, name="status"),
    path("p/<str:code>/documents/<int:seq>/", views.document, name="document"),
    path("p/<str:code>/documents/<int:seq>.docx", views.document_docx, name="document_docx"),
    path("p/<str:code>/evaluate/<str:stage>/", views.evaluate, name="evaluate"),
    path("p/<str:code>/review/", views.request_review, name="request_review"),
    path("p/<str:code>/re-review/", views.request_re_review, name="request_re_review"),
]
