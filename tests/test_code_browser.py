"""The code browser and its search, as anyone uses them (no account needed)."""

import re

import pytest

from app.codeset.search import search

# Plain words a learner types, and a code each must find among the first results (checked against the release).
QUERIES = [
    ("type 2 diabetes with neuropathy", "E11.40", 10),
    ("diabetes type 2 neuropathy", "E11.40", 10),  # word order does not matter
    ("UTI", "N39.0", 10),
    ("urinary tract infection", "N39.0", 10),
    ("ankle sprain", "S93.40", 10),  # S93.40 or a code below it
    ("sprains of ankles", "S93.40", 10),  # plurals
    ("GERD", "K21.9", 10),
    ("chronic kidney disease stage 3", "N18.3", 5),
    ("CKD stage 3", "N18.3", 5),
    ("COPD", "J44.9", 10),
    ("CHF", "I50", 10),
    ("BMI 30", "Z68.3", 5),
    ("CAD", "I25.10", 10),
    ("MI", "I21", 10),
    ("URI", "J06.9", 5),
    ("pain in the knee", "M25.56", 5),
    ("E11.4", "E11.40", 3),
    ("e114", "E11.40", 3),
]


@pytest.mark.parametrize(("query", "expected", "within"), QUERIES)
def test_plain_word_queries_find_the_code_among_the_first_results(app, query, expected, within):
    codes = [hit.code for hit in search(query).hits[:within]]
    assert any(code.startswith(expected) for code in codes), f"{query!r} -> {codes}"


def test_a_code_lists_itself_then_the_codes_below_it_in_order(app):
    results = search("E11.4")
    assert results.mode == "code"
    assert [hit.code for hit in results.hits] == ["E11.4", "E11.40", "E11.41", "E11.42", "E11.43", "E11.44", "E11.49"]


def test_results_are_paginated(client):
    first = client.get("/codes?q=sprain").get_data(as_text=True)
    second = client.get("/codes?q=sprain&page=2").get_data(as_text=True)
    codes = re.compile(r'<a href="/codes/([^"]+)"><code>')
    assert len(codes.findall(first)) == 20 and set(codes.findall(first)).isdisjoint(codes.findall(second))
    assert 'rel="next"' in first and "page 2 of" in second


def test_no_match_shows_an_empty_state_and_abbreviations_say_how_they_were_read(client):
    empty = client.get("/codes?q=zzzqqq").get_data(as_text=True)
    assert "No code matches “zzzqqq”" in empty
    assert "Read GERD as “gastro-esophageal reflux disease”" in client.get("/codes?q=GERD").get_data(as_text=True)


def test_hostile_queries_are_answered_not_crashed(client):
    for query in ['"', "NEAR(", "a*", "' OR 1=1 --", "e11 AND", "-", "x" * 500, "日本語"]:
        assert client.get("/codes", query_string={"q": query}).status_code == 200
        assert client.get("/codes/search.json", query_string={"q": query, "typing": "1"}).status_code == 200


def test_the_json_search_answers_while_typing(client):
    data = client.get("/codes/search.json?q=type+2+diabetes+with+neuropa&typing=1").get_json()
    assert "E11.40" in [hit["code"] for hit in data["hits"]]
    assert data["hits"][0]["url"].startswith("/codes/")


def test_the_chapters_list_is_open_to_everyone(client):
    page = client.get("/codes").get_data(as_text=True)
    assert "ICD-10-CM April 1, 2026" in page and "Certain infectious and parasitic diseases (A00-B99)" in page
    assert page.count('<a href="/codes/') >= 22


def test_a_billable_code_page_shows_path_and_inherited_notes_with_codes_linked(client):
    page = client.get("/codes/E11.40").get_data(as_text=True)
    assert "Type 2 diabetes mellitus with diabetic neuropathy, unspecified" in page
    assert "E11.40 is a billable code" in page
    crumbs = page[page.index('class="crumbs"'):page.index("</nav>", page.index('class="crumbs"'))]
    assert [link for link in re.findall(r'href="/codes/([^"]+)"', crumbs)] == ["4", "E08-E13", "E11", "E11.4"]
    assert '(<a href="/codes/E10">E10</a>.-)' in page  # E11's Excludes1, inherited
    assert "(from E11, applies here too)" in page


def test_a_category_says_to_choose_a_more_specific_code_and_lists_the_codes_below(client):
    page = client.get("/codes/E11").get_data(as_text=True)
    assert "E11 is a category: choose a more specific code." in page
    assert '<a href="/codes/E11.40"><code>E11.40</code></a>' not in page  # only the level below
    assert '<a href="/codes/E11.4"><code>E11.4</code></a>' in page


def test_a_seventh_character_code_shows_its_table_with_its_character_marked(client):
    page = client.get("/codes/S93.401A").get_data(as_text=True)
    assert "7th characters" in page and "From S93." in page
    assert '<tr class="current"><td><code>A</code></td><td>initial encounter</td></tr>' in page


def test_blocks_and_chapters_have_pages(client):
    assert "E08-E13 is a block, not a code" in client.get("/codes/E08-E13").get_data(as_text=True)
    assert "Endocrine, nutritional and metabolic diseases" in client.get("/codes/4").get_data(as_text=True)


def test_a_code_typed_without_the_dot_or_in_lower_case_goes_to_its_page(client):
    response = client.get("/codes/s93401a")
    assert response.status_code == 302 and response.headers["Location"].endswith("/codes/S93.401A")


@pytest.mark.parametrize("code", ["E11.99", "Z99.999", "ABC", "E11.4<script>"])
def test_an_unknown_code_is_a_404_that_says_so(client, code):
    response = client.get(f"/codes/{code}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "is not an ICD-10-CM code in ICD-10-CM April 1, 2026" in body
    assert "<script>" not in body.split("<main", 1)[1]


def test_code_pages_and_search_results_kept_for_one_release_are_not_shown_for_the_next(client, db):
    from datetime import timedelta

    from sqlalchemy import select, update

    from app.models import CodeRelease, IcdCode

    assert "Type 2 diabetes mellitus with diabetic neuropathy, unspecified" in client.get("/codes/E11.40").get_data(as_text=True)
    searched = "/codes/search.json?q=type+2+diabetes+with+neuropathy"
    assert "corrected" not in str(client.get(searched).get_json()["hits"])
    release = db.session.scalar(select(CodeRelease).order_by(CodeRelease.id.desc()))
    # A later load: the same release row stamped anew, with a changed title (as a corrected data file would bring);
    # the title keeps the searched words, so PostgreSQL's index over titles still finds it.
    new_title = "Type 2 diabetes mellitus with diabetic neuropathy, unspecified (corrected)"
    db.session.execute(update(IcdCode).where(IcdCode.code == "E11.40").values(title=new_title))
    release.loaded_at += timedelta(seconds=1)
    db.session.commit()
    page = client.get("/codes/E11.40").get_data(as_text=True)
    assert new_title in page and f"<title>E11.40 {new_title}" in page
    assert {"code": "E11.40", "title": new_title}.items() <= next(
        hit for hit in client.get(searched).get_json()["hits"] if hit["code"] == "E11.40").items()
