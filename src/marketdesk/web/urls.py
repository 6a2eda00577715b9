from django.urls import path

from marketdesk.web.views import pages

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
]
