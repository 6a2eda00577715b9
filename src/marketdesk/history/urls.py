from django.urls import path

from marketdesk.history import views

app_name = "history"
urlpatterns = [
    path("history/", views.history, name="history"),
]
