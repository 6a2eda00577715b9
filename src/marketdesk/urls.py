from django.contrib import admin
from django.urls import include, path

from marketdesk.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("help/", include("marketdesk.helpcenter.urls")),
    path("notifications/", include("marketdesk.notifications.urls")),
    path("live/", include("marketdesk.live.urls")),
    path("", include("marketdesk.messaging.urls")),
    path("", include("marketdesk.history.urls")),
    path("", include("marketdesk.attachments.urls")),
    path("", include("marketdesk.cases.urls")),
    path("", include("marketdesk.returns.urls")),
    path("", include("marketdesk.shipping.urls")),
    path("", include("marketdesk.console.urls")),
    path("", include("marketdesk.standards.urls")),
    path("", include("marketdesk.safety.urls")),
    path("", include("marketdesk.risk.urls")),
    path("manage/", include("marketdesk.web.manage.urls")),
    path("", include("marketdesk.web.urls")),
]
