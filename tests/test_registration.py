"""Accounts that can't be enumerated or confused: the same answers for every address, confirmation by e-mail,
normalised addresses, look-alike addresses refused, reset requests that take the same time either way."""

import re
import statistics
import time
import unicodedata

import pytest
from sqlalchemy import func, select

from app.models import EmailMessage, User
from app.services import mail
from app.services.accounts import AccountError, create_user
from tests.conftest import sign_in
from tests.factories import make_user

PASSWORD = "correct horse battery"


def mailed_link(smtp, to: str, path: str) -> str:
    """Deliver the outbox, then the local part of the last link to `path` mailed to `to`."""
    mail.deliver_pending()
    bodies = [smtp.body(message) for message in smtp.to(to)]
    links = [found for body in bodies for found in re.findall(rf"http://localhost({re.escape(path)}\S+)", body)]
    assert links, f"no {path} link mailed to {to}: {bodies}"
    return links[-1]


def register(client, email: str, name: str = "Pat Example"):
    return client.post("/auth/register", data={"display_name": name, "email": email, "password": PASSWORD,
                                               "confirm": PASSWORD})


def test_registration_answers_the_same_for_a_new_and_a_taken_address_and_mails_the_owner(client, db, smtp):
    owner = make_user(email="taken@example.com", name="Original Owner")
    db.session.commit()
    answers = {}
    for email in ("fresh@example.com", "taken@example.com"):
        response = register(client, email, name="Someone Else")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        page = re.sub(r'(content|value)="[\w.-]{40,}"', "TOKEN", page)  # CSRF tokens carry the time
        answers[email] = (response.status_code, response.headers["Location"], page.replace(email, "ADDRESS"))
    assert answers["fresh@example.com"] == answers["taken@example.com"]
    assert "already exists" not in answers["taken@example.com"][2]
    db.session.refresh(owner)
    assert owner.display_name == "Original Owner" and sign_in(client, owner.email).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "taken@example.com")) == 1
    mail.deliver_pending()
    [notice] = smtp.to("taken@example.com")
    assert "already has one" in smtp.body(notice) and "/auth/reset" in smtp.body(notice)
    assert "/auth/confirm/" in smtp.body(smtp.to("fresh@example.com")[0])


def test_a_confirmation_link_is_needed_before_the_first_sign_in_and_cannot_be_forged(client, db, smtp):
    register(client, "new@example.com")
    assert "Confirm your e-mail address first" in sign_in(client, "new@example.com", PASSWORD).get_data(as_text=True)
    link = mailed_link(smtp, "new@example.com", "/auth/confirm/")
    forged = client.post(link[:-3] + "abc", follow_redirects=True)
    assert "invalid or has expired" in forged.get_data(as_text=True)
    assert db.session.scalar(select(User.email_confirmed_at).where(User.email == "new@example.com")) is None
    client.post(link)
    assert sign_in(client, "new@example.com", PASSWORD).status_code == 302


def test_staff_from_the_command_line_and_test_accounts_are_confirmed(app, db, client):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "staff@example.com", "--role", "instructor",
                                                "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert sign_in(client, "staff@example.com", PASSWORD).status_code == 302
    assert make_user().email_confirmed_at is not None


@pytest.mark.parametrize("look_alike", ["\u0430dmin@example.com",  # Cyrillic а
                                        "\uff41dmin@example.com",  # fullwidth a
                                        "\u0391DMIN@example.com",  # Greek capital Alpha
                                        "admin@ex\u0430mple.com"])
def test_an_address_that_only_looks_like_a_taken_one_is_refused(client, db, smtp, look_alike):
    make_user(email="admin@example.com")
    db.session.commit()
    assert register(client, look_alike).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    mail.deliver_pending()
    [notice] = smtp.messages
    assert "looks the same as the address of another account" in smtp.body(notice)
    with pytest.raises(AccountError, match="looks the same"):
        create_user(look_alike, PASSWORD, "Impostor", "admin")


def test_addresses_are_stored_in_normal_form_and_every_spelling_signs_in(client, db, smtp):
    decomposed = unicodedata.normalize("NFD", "José@Bücher.example")
    register(client, decomposed)
    user = db.session.scalar(select(User))
    assert user.email == unicodedata.normalize("NFC", "josé@bücher.example")
    client.post(mailed_link(smtp, user.email, "/auth/confirm/"))
    assert sign_in(client, "JOSÉ@xn--bcher-kva.example", PASSWORD).status_code == 302


def test_reset_requests_take_the_same_time_for_known_and_unknown_addresses(app, client, db, smtp):
    known = [make_user(email=f"known{n}@example.com").email for n in range(30)]
    db.session.commit()
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n, address in enumerate(known):  # interleaved, taking turns to go first, so both meet the same load
        pair = [("known", address), ("unknown", f"unknown{n}@example.com")]
        for kind, email in pair if n % 2 else reversed(pair):
            token = client.csrf_token()
            started = time.perf_counter()
            response = client.post("/auth/reset", data={"email": email, "csrf_token": token},
                                   environ_base={"REMOTE_ADDR": f"10.0.{n}.{len(kind)}"})
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302
    gap = statistics.median(k - u for k, u in zip(timings["known"], timings["unknown"], strict=True))
    print({kind: f"median {statistics.median(values):.1f} ms, max {max(values):.1f} ms" for kind, values in timings.items()},
          f"median gap {gap:.1f} ms")
    assert abs(gap) < max(3.0, 0.1 * statistics.median(timings["unknown"])), timings
    assert db.session.scalar(select(func.count()).select_from(EmailMessage)) == 2 * len(known), "one message either way"


def test_a_reset_link_confirms_an_unconfirmed_address(client, db, smtp):
    register(client, "forgot@example.com")
    client.post("/auth/reset", data={"email": "forgot@example.com"})
    link = mailed_link(smtp, "forgot@example.com", "/auth/reset/")
    client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert db.session.scalar(select(User.email_confirmed_at).where(User.email == "forgot@example.com")) is not None
    assert "Your course" in client.get("/").get_data(as_text=True), "the link signed the owner in"
