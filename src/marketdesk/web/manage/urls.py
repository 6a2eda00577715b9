from django.urls import path

from marketdesk.web.manage import views

app_name = "manage"
urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:version>/", views.policy_detail, name="policy_detail"),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_edit, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/pause/", views.webhook_pause, name="webhook_pause"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_id>/retry/", views.webhook_retry, name="webhook_retry"),
    path("api-keys/", views.api_key_list, name="api_key_list"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/<int:pk>/", views.carrier_detail, name="carrier_detail"),
    path("people/", views.staff_list, name="staff_list"),
    path("people/<int:pk>/active/", views.staff_active, name="staff_active"),
    path("people/<int:pk>/role/", views.staff_role, name="staff_role"),
]
