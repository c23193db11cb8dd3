from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from course import account_views, views
from progress import account

urlpatterns = [
    path("admin/password_reset/", account_views.AdminPasswordResetView.as_view(), name="wagtailadmin_password_reset"),
    # Wagtail's deliberate error page, for checking error reports: not on a site people use.
    path("admin/failwhale/", views.not_found),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(form_class=views.LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/delete/", account.delete_account, name="delete_account"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("cohorts.urls")),
    path("", include("progress.urls")),
    path("", include("mail.urls")),
    path("", include("inbound.urls")),
    path("write/", include("lessons.urls")),
    path("circle/", include("lessons.circle_urls")),
    path("networks/", include("publishing.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static  # uploaded media served by Django only in DEBUG

    # Documents only through /documents/<id>/<name>, which asks who may fetch them (lessons/documents.py).
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/documents/<path:name>", views.not_found)]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
