from django.urls import path

from marketdesk.shipping import views, views_console

app_name = "shipping"
urlpatterns = [
    path("shipments/<int:pk>/", views.tracking, name="tracking"),
    path("shipments/<int:pk>/change/", views.change, name="change"),
    path("shipments/<int:pk>/changes/<int:request_pk>/answer/", views.change_answer, name="change_answer"),
    path("console/parcels/", views_console.parcels, name="console_parcels"),
    path("console/parcels/<int:pk>/", views_console.parcel, name="console_parcel"),
    path("console/parcels/<int:pk>/investigate/", views_console.parcel_investigate, name="console_investigate"),
    path("console/parcels/<int:pk>/resolve/", views_console.parcel_resolve, name="console_resolve"),
    path("console/parcels/<int:pk>/claim-payment/", views_console.parcel_claim_pay, name="console_claim_pay"),
]
