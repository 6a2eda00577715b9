from django.urls import path
from django.views.generic import RedirectView

from marketdesk.cases.views import case_page, get_help, workspace

app_name = "cases"
urlpatterns = [
    # Buyer: Get help on an order
    path("orders/<int:pk>/help/", get_help.get_help, name="get_help"),
    path("orders/<int:pk>/help/suggest/", get_help.get_help_suggest, name="get_help_suggest"),
    path("orders/<int:pk>/help/send/", get_help.get_help_send, name="get_help_send"),
    path("orders/<int:pk>/help/open/", get_help.get_help_open, name="get_help_open"),
    # Buyer and seller
    path("cases/", case_page.case_list, name="case_list"),
    path("cases/<int:pk>/", case_page.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:action>/", case_page.case_act, name="case_act"),
    # Operator
    # The older case queue is folded into the console's one queue: its links (and ?status=) land there.
    path("console/cases/", RedirectView.as_view(pattern_name="console:queue", query_string=True, permanent=True)),
    path("console/cases/<int:pk>/", workspace.workspace, name="workspace"),
    path("console/cases/<int:pk>/<slug:action>/", workspace.workspace_act, name="workspace_act"),
]
