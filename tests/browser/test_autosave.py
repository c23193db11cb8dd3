"""The editor autosaves, survives a lost connection, shows conflicts between two tabs,
keeps a local copy as a last line of defence, and shows the server's count of the text as the
network would get it."""

import re

import pytest

from lessons.models import Submission, SubmissionVersion
from lessons.network_text import plain_text
from lessons.platforms import count_characters
from lessons.writing import get_or_start, save_draft, share
from tests.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Saved at \d\d:\d\d")


@pytest.fixture
def world(course_page):
    return make_world(course_page)


@pytest.fixture
def piece(world):
    return get_or_start(world.anna, world.lesson, world.assignment_id)


def editor_url(live_server, piece):
    return f"{live_server.url}/write/piece/{piece.pk}/"


def body_in_db(piece):
    return Submission.objects.get(pk=piece.pk).body


def open_editor(context, live_server, piece):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # a "leave the page?" prompt must not hang a test
    page.goto(editor_url(live_server, piece))
    return page


def leave(field):
    """Leave the field, as a writer who stops and looks away: the editor saves on focusout instead
    of after three idle seconds (that delay is tested above, on its own)."""
    field.blur()


def wait_for_status(page, pattern):
    from playwright.sync_api import expect

    expect(page.locator("#save-status")).to_contain_text(pattern, timeout=30_000)


def test_it_autosaves_and_survives_a_lost_connection(signed_in, live_server, world, piece, artifacts):
    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)

    page.locator("#id_title").fill("What fills my day")
    page.locator("#id_body").press_sequentially("Monday starts with listening.", delay=10)
    wait_for_status(page, SAVED)

    assert body_in_db(piece) == "Monday starts with listening."
    page.reload()
    assert page.locator("#id_body").input_value() == "Monday starts with listening."
    assert page.locator("#id_title").input_value() == "What fills my day"

    context.set_offline(True)
    page.locator("#id_body").press("End")
    page.locator("#id_body").press_sequentially(" Then the train drops out.", delay=10)
    wait_for_status(page, re.compile("not saved yet", re.IGNORECASE))
    assert body_in_db(piece) == "Monday starts with listening."
    # the last line of defence holds the text meanwhile
    copy = page.evaluate(
        "id => Object.keys(localStorage).filter(k => k.startsWith('klartext:draft:' + id + ':'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).body)",
        piece.pk,
    )
    assert copy == ["Monday starts with listening. Then the train drops out."]

    context.set_offline(False)
    wait_for_status(page, SAVED)

    assert body_in_db(piece) == "Monday starts with listening. Then the train drops out."
    page.reload()
    assert page.locator("#id_body").input_value() == "Monday starts with listening. Then the train drops out."
    assert page.locator("#local-copy").is_hidden()  # nothing left over to offer
    page.screenshot(path=str(artifacts / "editor.png"), full_page=True)


def test_two_tabs_get_a_conflict_panel_and_keep_mine_loses_nothing(signed_in, live_server, world, piece, artifacts):
    context = signed_in(world.anna.user)
    laptop = open_editor(context, live_server, piece)
    phone = open_editor(context, live_server, piece)

    laptop.locator("#id_body").fill("Written on the laptop.")
    leave(laptop.locator("#id_body"))
    wait_for_status(laptop, SAVED)
    phone.locator("#id_body").fill("Written on the phone.")
    leave(phone.locator("#id_body"))
    panel = phone.locator("#conflict-panel")
    panel.wait_for(state="visible")

    assert phone.locator("#conflict-theirs").input_value() == "Written on the laptop."
    assert phone.locator("#conflict-mine").input_value() == "Written on the phone."
    assert body_in_db(piece) == "Written on the laptop."
    assert SubmissionVersion.objects.filter(submission=piece).count() == 1
    phone.screenshot(path=str(artifacts / "editor-conflict.png"), full_page=True)

    phone.get_by_role("button", name="Keep mine").click()
    wait_for_status(phone, SAVED)
    panel.wait_for(state="detached")

    assert body_in_db(piece) == "Written on the phone."
    assert list(
        SubmissionVersion.objects.filter(submission=piece).order_by("number").values_list("body", flat=True)
    ) == [
        "Written on the laptop.",
        "Written on the phone.",
    ]
    # the phone goes on saving normally on top of its own version
    phone.locator("#id_body").press_sequentially(" More.", delay=10)
    leave(phone.locator("#id_body"))
    wait_for_status(phone, re.compile(r"version 3"))
    assert body_in_db(piece) == "Written on the phone. More."


def test_using_the_other_version_puts_it_in_the_editor_and_saving_goes_on(signed_in, live_server, world, piece):
    context = signed_in(world.anna.user)
    laptop = open_editor(context, live_server, piece)
    phone = open_editor(context, live_server, piece)
    laptop.locator("#id_body").fill("The laptop's version.")
    leave(laptop.locator("#id_body"))
    wait_for_status(laptop, SAVED)
    phone.locator("#id_body").fill("The phone's version.")
    leave(phone.locator("#id_body"))
    phone.locator("#conflict-panel").wait_for(state="visible")

    phone.get_by_role("button", name="Use the other version").click()

    phone.locator("#conflict-panel").wait_for(state="detached")
    assert phone.locator("#id_body").input_value() == "The laptop's version."
    assert phone.locator("#id_base_version").input_value() == "1"
    phone.locator("#id_body").press("End")
    phone.locator("#id_body").press_sequentially(" Edited on the phone.", delay=10)
    leave(phone.locator("#id_body"))
    wait_for_status(phone, re.compile(r"version 2"))
    assert body_in_db(piece) == "The laptop's version. Edited on the phone."
    assert SubmissionVersion.objects.filter(submission=piece).count() == 2


def test_sharing_right_after_typing_saves_the_text_first(signed_in, live_server, world, piece):
    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    page.locator("#id_body").fill("Shared the moment it was written.")

    with page.expect_navigation():
        page.get_by_role("button", name="Share", exact=True).click()  # before the autosave delay is over

    shared = Submission.objects.get(pk=piece.pk)
    assert shared.body == "Shared the moment it was written."
    assert shared.state == "shared"


def test_once_a_shared_piece_changes_the_share_button_offers_to_share_this_version(
    signed_in, live_server, world, piece
):
    piece = save_draft(piece.pk, title="", body="The first version.", base_version=0).submission
    share(piece)
    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    button = page.locator("[data-share-form] button[type=submit]")
    assert button.inner_text() == "Update who sees it"
    field = page.locator("#id_body")
    field.fill("A rewrite in progress.")
    leave(field)
    wait_for_status(page, SAVED)
    assert button.inner_text() == "Share this version"

    with page.expect_navigation():
        button.click()
    assert Submission.objects.get(pk=piece.pk).shared_version == 2


def test_text_that_never_reached_the_server_is_offered_back(signed_in, live_server, world, piece):
    save_draft(piece.pk, title="", body="Saved before.", base_version=0)
    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    # Every save fails as if the server were unreachable, then the tab is reloaded.
    page.route("**/save/", lambda route: route.abort())
    page.locator("#id_body").fill("Saved before. And typed while the server was away.")
    wait_for_status(page, re.compile("not saved yet", re.IGNORECASE))
    page.unroute("**/save/")
    page.reload()

    banner = page.locator("#local-copy")
    banner.wait_for(state="visible")
    assert page.locator("#id_body").input_value() == "Saved before."
    banner.get_by_role("button", name="Put it back in the editor").click()
    wait_for_status(page, SAVED)

    assert body_in_db(piece) == "Saved before. And typed while the server was away."


def test_the_counter_follows_the_text_as_the_network_gets_it(signed_in, live_server, world, piece):
    from playwright.sync_api import expect

    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    counter = page.locator("#counter")

    typed = "I *really* mean it 🚀\n\n- see [this](https://example.com/a/very/long/path?query=1)"
    page.locator("#id_body").fill(typed)

    expected = count_characters(plain_text(typed), "x")
    expect(counter).to_have_attribute("data-server-count", str(expected), timeout=15_000)
    preview = page.locator('#network-previews [data-network="x"] .network-post')
    expect(preview).to_have_text(plain_text(typed))
    assert "*" not in preview.inner_text()


def test_the_counter_warns_before_the_limit(signed_in, live_server, world, piece):
    from playwright.sync_api import expect

    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    counter = page.locator("#counter")

    page.locator("#id_body").fill("a" * 260)
    expect(counter).to_contain_text("20 left", timeout=15_000)
    assert "is-near" in counter.get_attribute("class")

    page.locator("#id_body").fill("a" * 260 + " https://example.com/" + "long/" * 20 + " bb")
    expect(counter).to_contain_text("7 over", timeout=15_000)
    assert counter.get_attribute("data-server-count") == str(260 + 1 + 23 + 3)
    assert "is-over" in counter.get_attribute("class")


def test_the_publish_page_copies_the_text(signed_in, live_server, world, piece, artifacts):
    save_draft(piece.pk, title="", body="Listening *first*.\nThen talking. #Führung", base_version=0)
    Submission.objects.filter(pk=piece.pk).update(ready_to_publish=True)
    context = signed_in(world.anna.user)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/write/piece/{piece.pk}/publish/")

    page.get_by_role("button", name="Copy text").click()

    page.get_by_text("Copied.").wait_for()
    # the text as the networks get it: the emphasis marks are gone
    assert page.evaluate("navigator.clipboard.readText()") == "Listening first.\nThen talking. #Führung"
    link = page.get_by_role("link", name="Open X")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    page.screenshot(path=str(artifacts / "publish.png"), full_page=True)


def test_signed_out_while_writing_says_so_keeps_the_text_and_offers_it_back_after_signing_in(
    signed_in, live_server, world, piece
):
    save_draft(piece.pk, title="", body="Saved before.", base_version=0)
    context = signed_in(world.anna.user)
    page = open_editor(context, live_server, piece)
    context.clear_cookies(name="sessionid")  # the session ends (signed out in another tab, or it expired)
    page.locator("#id_body").fill("Saved before. And typed after the session ended.")
    leave(page.locator("#id_body"))

    wait_for_status(page, "You were signed out, so this was not saved.")
    assert page.locator("#save-status form, #save-status input[type=password]").count() == 0
    sign_in = page.locator("#save-status a")
    assert sign_in.inner_text() == "Sign in again"
    assert sign_in.get_attribute("href") == f"/accounts/login/?next=/write/piece/{piece.pk}/"
    assert body_in_db(piece) == "Saved before."

    sign_in.click()
    page.locator("#id_username").fill(world.anna.user.email)
    page.locator("#id_password").fill("pw")
    page.locator("#id_password").press("Enter")
    banner = page.locator("#local-copy")
    banner.wait_for(state="visible")
    banner.get_by_role("button", name="Put it back in the editor").click()
    wait_for_status(page, SAVED)
    assert body_in_db(piece) == "Saved before. And typed after the session ended."
