"""The course's source document (lessons/source-article.yaml): each passage as published, beside its corrected reading."""

from dataclasses import dataclass
from pathlib import Path

import yaml

from app.content.schema import FACT_ID, Problem

FILE = "lessons/source-article.yaml"


@dataclass(frozen=True)
class Passage:
    """One passage of the document: the published text, the reading the course teaches, and its fact ids."""

    original: str
    reading: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Article:
    title: str
    published: int
    sections: tuple[Section, ...]


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def read_article(root: Path, known_facts: frozenset[str] | None = None) -> tuple[Article | None, list[Problem]]:
    """The article and any problems with its file (None when it is missing or unusable)."""
    path = root / FILE
    if not path.exists():
        return None, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return None, [Problem(FILE, 0, f"cannot be read: {str(error).splitlines()[0]}")]
    problems: list[Problem] = []
    if not isinstance(data, dict) or not _text(data.get("title")) or not isinstance(data.get("sections"), list):
        return None, [Problem(FILE, 0, "must have a title and a list of sections")]
    sections = []
    for s_index, section in enumerate(data["sections"]):
        where = f"sections[{s_index}]"
        if not isinstance(section, dict) or not _text(section.get("heading")) or not isinstance(section.get("passages"), list):
            problems.append(Problem(FILE, 0, f"{where}: needs a heading and a list of passages"))
            continue
        passages = []
        for p_index, item in enumerate(section["passages"]):
            spot = f"{where}.passages[{p_index}]"
            facts = item.get("facts") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not _text(item.get("original")) or not _text(item.get("reading")):
                problems.append(Problem(FILE, 0, f"{spot}: needs an original and a reading"))
                continue
            if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and FACT_ID.match(f) for f in facts):
                problems.append(Problem(FILE, 0, f"{spot}.facts: must be a non-empty list of fact ids such as S-12"))
                continue
            unknown = [f for f in facts if known_facts is not None and f not in known_facts]
            problems += [Problem(FILE, 0, f"{spot}.facts: {f} is not an id in lessons/facts.yaml") for f in unknown]
            passages.append(Passage(item["original"].strip(), item["reading"].strip(), tuple(facts)))
        sections.append(Section(section["heading"].strip(), tuple(passages)))
    article = Article(data["title"].strip(), data.get("published", 0), tuple(sections))
    return (None if problems else article), problems
