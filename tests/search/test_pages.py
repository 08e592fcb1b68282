"""/search: the page with its box, result tabs and the query kept (results come from the API)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_search_page_has_a_tab_per_kind_with_the_current_one_selected(client):  # noqa: ANN001
    response = client.get("/search", {"q": "cats & dogs", "type": "users"})
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("videos", "users", "hashtags", "sounds"):
        assert f'data-tab="{kind}"' in html
    assert 'aria-selected="true" data-tab="users"' in html
    assert 'data-query="cats &amp; dogs"' in html and 'data-type="users"' in html
    assert 'id="search-suggestions"' in html


def test_an_unknown_tab_falls_back_to_top_and_no_query_shows_no_tabs(client):  # noqa: ANN001
    html = client.get("/search", {"q": "x", "type": "planets"}).content.decode()
    assert 'data-type="all"' in html
    assert "data-tab=" not in client.get("/search").content.decode()
