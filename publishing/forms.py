"""Forms of publishing: connecting accounts and posting a piece. They only parse input."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons import network_text
from lessons.platforms import ShareError, count_characters, normalise_instance


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Your Bluesky handle"),
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "you.bsky.social", "autocomplete": "username"}),
    )
    app_password = forms.CharField(
        label=_("An app password"),
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_("Create one in Bluesky under Settings → Privacy and security → App passwords. Not your password."),
    )

    def clean_handle(self):
        handle = self.cleaned_data["handle"].strip().lstrip("@").lower()
        if "." not in handle or " " in handle:
            raise forms.ValidationError(_("Enter your handle, for example you.bsky.social."))
        return handle


class MastodonConnectForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "autocomplete": "off"}),
    )

    def clean_instance(self):
        try:
            return normalise_instance(self.cleaned_data["instance"])
        except ShareError as error:
            raise forms.ValidationError(str(error)) from None


class PostForm(forms.Form):
    """Which networks, the text for each, now or at a local time."""

    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Post now")), ("later", _("Post at a chosen time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    at = forms.DateTimeField(
        label=_("Date and time (your time zone)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, accounts, texts, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.zone = zone
        for account in accounts:
            self.fields[f"post_{account.network}"] = forms.BooleanField(
                label=_("Post on %(network)s as %(handle)s")
                % {"network": account.get_network_display(), "handle": account.handle},
                required=False,
                initial=True,
            )
            self.fields[f"text_{account.network}"] = forms.CharField(
                label=_("Text for %(network)s") % {"network": account.get_network_display()},
                widget=forms.Textarea(attrs={"rows": 8}),
                initial=texts.get(account.network, ""),
                required=False,
                max_length=50_000,
            )

    def clean(self):
        data = super().clean()
        chosen = [a for a in self.accounts if data.get(f"post_{a.network}")]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one network."))
        for account in chosen:
            text = (data.get(f"text_{account.network}") or "").strip()
            if not text:
                self.add_error(f"text_{account.network}", _("Write something to post."))
            elif account.network not in network_text.THREAD_PLATFORMS:
                used = count_characters(text, account.network)
                if used > account.character_limit:
                    self.add_error(
                        f"text_{account.network}",
                        _("%(network)s takes up to %(limit)s characters in one post; this has %(used)s. Shorten it.")
                        % {"network": account.get_network_display(), "limit": account.character_limit, "used": used},
                    )
        if data.get("when") == "later":
            at = data.get("at")
            if at is None:
                self.add_error("at", _("Choose the date and time to post."))
            else:
                # The member's wall-clock time in their own zone, whatever the server's zone.
                local = timezone.make_aware(at.replace(tzinfo=None), self.zone)
                if local <= timezone.now():
                    self.add_error("at", _("Choose a time in the future."))
                elif local > timezone.now() + datetime.timedelta(days=365):
                    self.add_error("at", _("Choose a time within the next year."))
                data["due_at"] = local
        else:
            data["due_at"] = timezone.now()
        data["chosen"] = chosen
        return data
