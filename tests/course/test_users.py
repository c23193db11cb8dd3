"""People log in with their email; the consultant manages them in the Wagtail admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from course.models import User


@pytest.mark.django_db
def test_people_log_in_with_their_email_in_any_case(client):
    User.objects.create_user(email="Jonas@Example.com", password="pw-12345-long", full_name="Jonas")
    response = client.post(reverse("login"), {"username": "JONAS@example.com", "password": "pw-12345-long"})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.email == "jonas@example.com"


@pytest.mark.django_db
def test_a_wrong_password_shows_a_clear_message_and_keeps_the_email(client):
    User.objects.create_user(email="jonas@example.com", password="pw-12345-long", full_name="Jonas")
    response = client.post(reverse("login"), {"username": "jonas@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert 'value="jonas@example.com"' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_time_zone_is_rejected():
    user = User(email="a@example.com", full_name="A", time_zone="Europe/Atlantis")
    user.set_unusable_password()
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "time_zone" in error.value.message_dict


@pytest.mark.django_db
def test_consultant_creates_a_user_with_full_name_language_and_time_zone_in_wagtail(admin_client):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "claire@example.co.uk",
            "full_name": "Claire Hughes",
            "language": "en",
            "time_zone": "Europe/London",
            "password1": "a-long-password-42",
            "password2": "a-long-password-42",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    claire = User.objects.get(email="claire@example.co.uk")
    assert (claire.full_name, claire.language, claire.time_zone) == (
        "Claire Hughes",
        "en",
        "Europe/London",
    )
    assert claire.check_password("a-long-password-42")


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, mailoutbox):
    User.objects.create_user(email="jonas@example.com", password="pw-12345-long", full_name="Jonas")
    response = client.post(reverse("password_reset"), {"email": "jonas@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/reset/" in word)
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert response.status_code == 302
    assert User.objects.get(email="jonas@example.com").check_password("brand-new-pass-77")
