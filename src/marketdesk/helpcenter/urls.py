from django.urls import path

from marketdesk.helpcenter import views

app_name = "helpcenter"
urlpatterns = [
    path("", views.help_home, name="home"),
    path("search/", views.help_search, name="search"),
    path("a/<slug:slug>/", views.article_detail, name="article"),
    path("a/<slug:slug>/helpful/", views.article_helpful, name="helpful"),
    path("<slug:slug>/", views.category_detail, name="category"),
]
