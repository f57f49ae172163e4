"""'Not happy with our service?': a plain public form, stored with a reference, never HTML."""

from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AuditEntry
from ourpatch.dissatisfaction.handling import PER_ADDRESS_PER_HOUR
from ourpatch.dissatisfaction.models import Category, Channel, Dissatisfaction
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.worker.queue import run_pending

GOOD = {
    "name": "Pat Resident",
    "email": "pat@example.org",
    "telephone": "",
    "category": Category.NOT_KEPT_INFORMED,
    "summary": "Nobody told me what happened after the break-in at Spencer Place.",
    "website": "",
}


@pytest.fixture
def area(db):
    return NeighbourhoodFactory(code="E02002330", name="Chapeltown", force__id="west-yorkshire")


def _url(area) -> str:
    return f"/neighbourhoods/{area.force_id}/{area.code}/not-happy/"


def _one():
    return Dissatisfaction.objects.read_by(UserFactory(username="auditor"), "test").get()


def test_the_form_is_plain_and_accessible(area):
    page = Client().get(_url(area)).content.decode()
    assert "<h1>Not happy with our service?</h1>" in page
    assert "within 24 hours" in page
    # the categories in plain words, as a labelled group
    assert "<legend" in page and "I was not kept informed about what was happening" in page
    assert 'for="id_summary"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "<script>" not in page and 'style="' not in page


def test_a_good_form_is_stored_with_a_reference_and_a_receipt_follows(area, mailoutbox):
    response = Client().post(_url(area), GOOD, follow=True)
    assert response.status_code == 200
    record = _one()
    page = response.content.decode()
    assert record.reference in page
    assert "Pat Resident" not in page and "Spencer Place" not in page  # only the reference
    assert record.channel == Channel.WEB and record.neighbourhood == area
    assert record.category == Category.NOT_KEPT_INFORMED
    assert record.complainant_email == "pat@example.org" and record.acknowledged_at is None
    assert run_pending() == 1
    assert len(mailoutbox) == 1 and record.reference in mailoutbox[0].body
    record.refresh_from_db(fields=["acknowledged_at"])
    assert record.acknowledged_at is None  # the receipt is not the Pledge's acknowledgement


def test_a_telephone_number_is_enough(area, mailoutbox):
    response = Client().post(_url(area), {**GOOD, "email": "", "telephone": "0113 496 0123"})
    assert response.status_code == 302
    assert _one().complainant_contact == "0113 496 0123"
    assert run_pending() == 0 and mailoutbox == []  # no email address: no receipt to send


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": ""}, "Your name: This field is required"),
        ({"summary": "x" * 5001}, "at most 5000 characters"),
        ({"email": "not an address"}, "Enter a valid email address"),
        ({"email": "", "telephone": ""}, "Give an email address or a telephone number"),
        ({"category": "made_up"}, "Select a valid choice"),
        ({"category": ""}, "What is it about?: This field is required"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(area, change, says):
    response = Client().post(_url(area), {**GOOD, **change})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Dissatisfaction.objects.count() == 0


def test_the_honeypot_stores_nothing_but_looks_like_success(area):
    response = Client().post(_url(area), {**GOOD, "website": "http://spam.example"}, follow=True)
    assert response.status_code == 200 and "we have received it" in response.content.decode()
    assert Dissatisfaction.objects.count() == 0


def test_one_address_is_rate_limited(area):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(PER_ADDRESS_PER_HOUR):
        assert client.post(_url(area), {**GOOD, "email": f"p{i}@example.org"}).status_code == 302
    response = client.post(_url(area), {**GOOD, "email": "another@example.org"})
    assert response.status_code == 429 and "Too many forms" in response.content.decode()
    assert Dissatisfaction.objects.count() == PER_ADDRESS_PER_HOUR
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(_url(area), {**GOOD, "email": "x@example.org"}).status_code == 302


def test_html_is_never_rendered(area):
    hostile = "<script>alert(1)</script><b>bold</b>"
    # shown back escaped when the form has an error
    page = Client().post(_url(area), {**GOOD, "name": "", "summary": hostile}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    # stored as typed, and escaped on the staff page
    Client().post(_url(area), {**GOOD, "name": "<i>Pat</i>", "summary": hostile})
    record = _one()
    assert record.summary == hostile
    sergeant = StaffProfileFactory(role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area])
    client = Client()
    client.force_login(sergeant.user)
    staff_page = client.get(f"/staff/dissatisfaction/{record.reference}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staff_page
    assert "<script>alert" not in staff_page and "<i>Pat</i>" not in staff_page


def test_no_personal_data_on_any_public_page(area):
    Client().post(_url(area), GOOD)
    reference = Dissatisfaction.objects.values_list("reference", flat=True).get()
    for url in (
        f"/neighbourhoods/{area.force_id}/{area.code}/",
        _url(area),
        f"{_url(area)}sent/?ref={reference}",
        f"/forces/{area.force_id}/",
    ):
        page = Client().get(url).content.decode()
        assert "Pat Resident" not in page and "pat@example.org" not in page, url
        assert "Spencer Place" not in page, url
    assert not AuditEntry.objects.filter(action="read").exists()


def test_the_sent_page_shows_only_a_reference_shaped_value(area):
    page = Client().get(f"{_url(area)}sent/?ref=<b>x</b>").content.decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;" not in page


def test_unknown_neighbourhood_is_a_404(db):
    assert Client().get("/neighbourhoods/nowhere/X/not-happy/").status_code == 404
    assert Client().post("/neighbourhoods/nowhere/X/not-happy/", GOOD).status_code == 404
