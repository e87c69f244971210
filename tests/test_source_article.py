"""The source article: every passage as published beside its corrected reading, open to all, linked from lessons."""

import re

import pytest

from app.content.loader import load_course
from app.content.source_article import read_article
from config import BASE_DIR

ARTICLE, ARTICLE_PROBLEMS = read_article(BASE_DIR)
# Garbled lines of the 2010 document and the words of their corrected readings.
GARBLED = [
    ("credentials stored Health Information Technicians (RHIT)", "Registered Health Information Technician (RHIT)"),
    ("The Medical Bureau relies on the database of insurance companies", "The medical office depends on payment from payers"),
    ("Some work evenings or nights traveling", "Some work evening or night shifts"),
    ("offices conditioned, well-lit, and comfortable", "air-conditioned, well-lit, comfortable offices"),
    ("problems of deformation", "avoiding strain"),
]


def test_the_shipped_article_is_valid_and_cites_known_facts():
    assert ARTICLE_PROBLEMS == [] and ARTICLE is not None
    assert sum(len(section.passages) for section in ARTICLE.sections) >= 20


def test_anyone_can_read_each_garbled_passage_beside_its_corrected_reading(client):
    response = client.get("/source")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for garbled, corrected in GARBLED:
        assert garbled in html.replace("&#39;", "'")
        assert corrected in html
    assert html.count('class="article-passage"') == sum(len(s.passages) for s in ARTICLE.sections)


def test_every_lesson_that_quotes_the_source_article_links_to_it():
    course, _ = load_course(BASE_DIR)
    for lesson in course.lessons:
        prose = "\n".join(part for part in lesson.parts if isinstance(part, str))
        if re.search(r"\b(source article|the article)\b", prose, re.IGNORECASE):
            assert "](/source)" in prose, lesson.file


def test_a_broken_article_file_is_a_content_problem(content):
    path = content / "lessons" / "source-article.yaml"
    path.write_text(path.read_text().replace("facts: [S-01]", "facts: [S-99]", 1))
    problems = [str(p) for p in load_course(content)[1]]
    assert any("source-article.yaml" in p and "S-99 is not an id in lessons/facts.yaml" in p for p in problems), problems


def test_the_page_is_not_found_when_the_course_has_no_article(app, client, content):
    (content / "lessons" / "source-article.yaml").unlink()
    app.config["CONTENT_DIR"] = content
    assert client.get("/source").status_code == 404


@pytest.mark.parametrize(("width", "stacked"), [(375, True), (1200, False)])
def test_the_columns_stack_on_a_phone_without_sideways_scroll(browser, live_server, width, stacked):
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(live_server[1] + "/source")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    original = page.locator(".article-original").first.bounding_box()
    reading = page.locator(".article-reading").first.bounding_box()
    if stacked:
        assert reading["y"] >= original["y"] + original["height"] - 1 and abs(reading["x"] - original["x"]) < 2
    else:
        assert reading["x"] > original["x"] + original["width"] - 1
    page.context.close()
