from django.contrib.auth import views as auth_views
from django.urls import include, path

from marketdesk.simulator.storefront import views

urlpatterns = [
    path("", views.orders, name="storefront_orders"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="storefront/login.html"), name="storefront_login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="storefront_logout"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
