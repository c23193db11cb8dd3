"""The member's writing loop, mounted at /write/."""

from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
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
