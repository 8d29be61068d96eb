from django.urls import path

from cms import views

app_name = "cms"

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/search/", views.notice_search, name="search"),
    path("notices/feeds/<str:kind>/rss/", views.rss_feed, name="feed_rss"),
    path("notices/feeds/<str:kind>/atom/", views.atom_feed, name="feed_atom"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
