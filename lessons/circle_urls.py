
app_name = "circle"

# The circle feed, responses and the portfolio (writing issue).
urlpatterns: list = []
