from django.urls import path

from marketdesk.web.views import auth, console, handoff, manage, oidc, orders, pages

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("language/", pages.set_language, name="set_language"),
    # Signing in and out
    path("sign-in/", auth.LoginView.as_view(), name="login"),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
    path("sso/handoff", handoff.sso_handoff, name="sso_handoff"),
    path("sso/oidc/<slug:marketplace>/", oidc.oidc_start, name="oidc_start"),
    path("sso/oidc/<slug:marketplace>/callback", oidc.oidc_callback, name="oidc_callback"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Buyer
    path("orders/", orders.buyer_orders, name="buyer_orders"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    # An order by the marketplace's number, for links from the marketplace (e.g. OpenID sign-in's next)
    path("orders/ref/<str:external_id>/", orders.order_by_reference, name="order_by_reference"),
    path("orders/ref/<str:external_id>/help/", orders.order_by_reference, {"page": "help"}, name="help_by_reference"),
    # Seller
    path("seller/orders/", orders.seller_orders, name="seller_orders"),
    path("seller/orders/<int:pk>/", orders.seller_order_detail, name="seller_order_detail"),
    # Operator
    # The console's home is the queue (console:queue); the marketplace's orders at a glance live here.
    path("console/orders/", console.operator_home, name="operator_home"),
    path("console/orders/<int:pk>/", orders.console_order_detail, name="console_order_detail"),
    # Administrator
    path("manage/", manage.admin_home, name="admin_home"),
]
