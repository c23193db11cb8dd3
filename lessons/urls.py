
app_name = "lessons"

# The writing editor, sharing and publishing (writing issue).
urlpatterns: list = []
