from django.urls import path

from marketdesk.cases import views

app_name = "cases"
urlpatterns = [
    path("orders/<int:pk>/help/", views.get_help, name="get_help"),
    path("orders/<int:pk>/help/suggest/", views.get_help_suggest, name="get_help_suggest"),
    path("orders/<int:pk>/help/open/", views.get_help_open, name="get_help_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
