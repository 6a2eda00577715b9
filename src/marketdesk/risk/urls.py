from django.urls import path

from marketdesk.risk import views

app_name = "risk"

urlpatterns = [
    path("console/cases/<int:pk>/risk/recompute/", views.case_risk_recompute, name="case_recompute"),
]
