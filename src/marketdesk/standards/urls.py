from django.urls import path

from marketdesk.standards import views

app_name = "standards"
urlpatterns = [
    # Seller
    path("standards/", views.seller_standing, name="seller"),
    path("standards/measures/<int:pk>/appeal/", views.seller_appeal, name="appeal"),
    # Operator
    path("console/standards/", views.overview, name="overview"),
    path("console/standards/recompute/", views.recompute_all, name="recompute_all"),
    path("console/standards/jobs/<int:pk>/", views.job_page, name="job"),
    path("console/standards/shops/<int:pk>/", views.shop_standing, name="shop"),
    path("console/standards/shops/<int:pk>/recompute/", views.shop_recompute, name="shop_recompute"),
    path("console/standards/shops/<int:pk>/enforce/", views.shop_enforce, name="enforce"),
    path("console/standards/measures/<int:pk>/<slug:action>/", views.enforcement_act, name="act"),
]
