from django.urls import path

from marketdesk.shipping import views

app_name = "shipping"
urlpatterns = [
    path("shipments/<int:pk>/", views.tracking, name="tracking"),
    path("shipments/<int:pk>/change/", views.change, name="change"),
    path("shipments/<int:pk>/changes/<int:request_pk>/answer/", views.change_answer, name="change_answer"),
]
