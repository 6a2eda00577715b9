from django.urls import path

from marketdesk.risk import views

app_name = "risk"

urlpatterns = [
    path("console/cases/<int:pk>/risk/recompute/", views.case_risk_recompute, name="case_recompute"),
    path("console/cases/<int:pk>/risk/restrict/", views.case_restrict, name="case_restrict"),
    # Operators
    path("console/buyer-restrictions/", views.restriction_list, name="restrictions"),
    path("console/buyer-restrictions/<int:pk>/", views.restriction_detail, name="restriction"),
    path("console/buyer-restrictions/<int:pk>/decide/", views.restriction_decide, name="restriction_decide"),
    path("console/buyer-restrictions/<int:pk>/lift/", views.restriction_lift, name="restriction_lift"),
    # The buyer
    path("protection/restrictions/<int:pk>/", views.buyer_restriction, name="buyer_restriction"),
    path("protection/restrictions/<int:pk>/appeal/", views.buyer_restriction_appeal_post, name="buyer_appeal"),
]
