from django.urls import path

from marketdesk.returns.views import pages

app_name = "returns"
urlpatterns = [
    path("orders/<int:pk>/return/", pages.return_start, name="return_start"),
    path("returns/", pages.return_list, name="return_list"),
    path("returns/<int:pk>/", pages.return_detail, name="return_detail"),
    path("returns/<int:pk>/label.<str:fmt>", pages.return_label, name="return_label"),
    path("returns/<int:pk>/<slug:action>/", pages.return_act, name="return_act"),
]
