from django.urls import path

from marketdesk.safety import views

app_name = "safety"

urlpatterns = [
    path("console/flagged-messages/", views.flag_list, name="flags"),
    path("console/flagged-messages/<int:pk>/", views.flag_detail, name="flag"),
    path("console/flagged-messages/<int:pk>/release/", views.flag_release, name="release"),
    path("console/flagged-messages/<int:pk>/block/", views.flag_block, name="block"),
]
