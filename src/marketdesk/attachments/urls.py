from django.urls import path

from marketdesk.attachments import views

app_name = "attachments"
urlpatterns = [
    path("attachments/", views.attachment_upload, name="upload"),
    path("attachments/<int:pk>/", views.attachment_detail, name="detail"),
    path("attachments/f/<str:token>/", views.attachment_serve, name="serve"),
]
