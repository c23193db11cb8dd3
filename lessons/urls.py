"""The member's writing loop, mounted at /write/."""

from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("posts/<int:pk>/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/remove/", views.post_remove, name="post_remove"),
    path("piece/<int:pk>/preview/", views.preview, name="preview"),
    path("posts/", views.posts, name="posts"),
    path("lesson/<int:lesson_id>/<str:assignment_id>/", views.write_for_lesson, name="write"),
    path("piece/<int:pk>/", views.editor, name="editor"),
    path("piece/<int:pk>/save/", views.save, name="save"),
    path("piece/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("piece/<int:pk>/versions/", views.versions, name="versions"),
    path("piece/<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("piece/<int:pk>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("piece/<int:pk>/share/", views.share, name="share"),
    path("piece/<int:pk>/publish/", views.publish, name="publish"),
    path("<int:cohort_id>/<int:lesson_id>/<str:assignment_id>/", views.start, name="start"),
]
