from django.urls import path

from marketdesk.messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.conversation, name="conversation"),
    path("messages/<int:pk>/list/", views.conversation_messages, name="conversation_messages"),
    path("messages/<int:pk>/post/", views.conversation_post, name="conversation_post"),
    path("messages/<int:pk>/read/", views.conversation_read, name="conversation_read"),
    path("seller/quick-replies/", views.quick_replies, name="quick_replies"),
    path("seller/quick-replies/<int:reply_id>/use/", views.quick_reply_use, name="quick_reply_use"),
]
