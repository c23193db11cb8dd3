from django.urls import path

from . import circle_views as views

app_name = "circle"

# The circle feed, responses and the portfolio (writing issue).
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:cohort_id>/", views.feed, name="feed"),
    path("piece/<int:pk>/", views.piece, name="piece"),
    path("piece/<int:pk>/respond/", views.respond_to_piece, name="respond"),
    path("portfolio.<str:fmt>", views.portfolio_download, name="portfolio"),
    path("portfolio/<int:cohort_id>.<str:fmt>", views.portfolio_download, name="cohort_portfolio"),
]
