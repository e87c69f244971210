"""A small coding exercise and knowledge check, written into a test's copy of the course content."""

from pathlib import Path

EXERCISE = """\
schema: 1
slug: coding-demo
kind: exercise
module: role
title: "Exercise: Code the visit"
pass_mark: 50
draw: 2
attempts_allowed: 0
questions:
  - id: t2dm-neuropathy
    type: code_entry
    prompt: |
      **Office visit.** A 58-year-old with type 2 diabetes mellitus is seen for burning feet.
      The physician documents diabetic polyneuropathy.
    codes: [E11.42]
    accepted: [[E11.40]]
    feedback:
      E11.9: The note documents a complication, and diabetes has combination codes for it.
    explanation: Type 2 diabetes with a documented complication takes the combination code.
    source: S-01
  - id: uti-then-organism
    type: code_entry
    prompt: A woman is treated for a urinary tract infection due to E. coli.
    codes: [N39.0, B96.20]
    ordered: true
    explanation: The infection is listed first; the organism code follows, as the use additional code note says.
    source: S-01
"""

CHECK = """

```check
type: code_entry
prompt: Code a sprain of the right ankle, first visit, ligament not specified.
codes: [S93.401A]
feedback:
  S93.401: The sprain codes need a 7th character for the encounter.
explanation: Sprains of the ankle take a 7th character; A is the initial encounter.
source: S-01
```
"""

LESSON = "lessons/role-01-what-billers-and-coders-do.md"


def add_coding_content(root: Path, exercise: str = EXERCISE) -> None:
    """Write the coding exercise and append a code_entry knowledge check to the first lesson."""
    (root / "quizzes" / "coding-demo.yaml").write_text(exercise)
    lesson = root / LESSON
    lesson.write_text(lesson.read_text() + CHECK)


def without_coding_cases(root: Path) -> None:
    """Take the course's coding cases out of a content copy, for tests that load an imagined release its keys are not in."""
    import yaml

    for path in sorted((root / "quizzes").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = [q for q in data.get("questions", []) if q.get("type") != "code_entry"]
        if len(kept) == len(data.get("questions", [])):
            continue
        if data.get("kind") == "exercise" and not kept:
            path.unlink()
            continue
        data["questions"] = kept
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
