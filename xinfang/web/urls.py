from django.contrib.auth import views as auth_views
from django.urls import path

from xinfang.web import intake, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("worklist/", views.worklist, name="worklist"),
    path("intake/", intake.intake, name="intake_default"),
    path("intake/online/", intake.intake_online, name="intake_online"),
    path("intake/similar/", intake.intake_similar, name="intake_similar"),
    path("intake/<str:channel>/", intake.intake, name="intake"),
    path("petitions/<int:petition_id>/", views.petition_detail, name="petition"),
    path("petitions/<int:petition_id>/act/<str:action>/", views.petition_act_view, name="petition_act"),
]
