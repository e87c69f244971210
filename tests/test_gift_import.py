"""The Moodle GIFT importer: every construct converted or reported by line, and the files it writes."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.content.gift import parse_gift
from app.content.gift_command import import_gift
from app.content.gift_convert import convert_gift, default_title, slugify
from app.content.loader import load_course
from app.content.sync import sync_content
from app.models import Quiz
from app.questions import REGISTRY

GIFT = Path(__file__).parent / "gift"
FACT = "C-01"  # a real id in lessons/facts.yaml: HIPAA enacted in 1996


@pytest.fixture
def run(app, content):
    """Invoke import-gift against the content copy."""
    app.config["CONTENT_DIR"] = content
    return lambda *args: app.test_cli_runner().invoke(import_gift, [str(arg) for arg in args])


def reported(result, gift: Path) -> list[tuple[int, str]]:
    """The (line, message) pairs reported on stderr for a GIFT file."""
    prefix = f"{gift}:"
    return [(int(line[len(prefix):].split(":", 1)[0]), line.split(": ", 1)[1])
            for line in result.stderr.splitlines() if line.startswith(prefix)]


EVERY_CONSTRUCT = [
    {"id": "code-set-for-diagnoses", "type": "single_choice", "prompt": "Which code set do US coders use for diagnoses?",
     "choices": ["ICD-10-CM", "CPT", "HCPCS Level II"], "answer": "ICD-10-CM",
     "feedback": {"ICD-10-CM": "Right: ICD-10-CM codes diagnoses.", "CPT": "CPT codes procedures and services."},
     "explanation": "ICD-10-CM is the diagnosis code set; CPT and HCPCS code procedures, services and supplies.", "source": FACT},
    {"id": "safe-harbor-identifiers", "type": "multiple_response", "prompt": "Which of these are identifiers under HIPAA's Safe Harbor rule?",
     "choices": ["A patient's Social Security number", "A patient's e-mail address", "The state the patient lives in"],
     "answers": ["A patient's Social Security number", "A patient's e-mail address"],
     "explanation": "Safe Harbor lists 18 identifiers; a state on its own is not one of them.", "source": FACT},
    {"id": "before-the-claim", "type": "multiple_response", "prompt": "Which steps come before a claim is sent?",
     "choices": ["Coding the visit", "Checking the patient's insurance", "Posting the payment"],
     "answers": ["Coding the visit", "Checking the patient's insurance"], "source": FACT},
    {"id": "hipaa-was-enacted-in-1996", "type": "true_false", "prompt": "HIPAA was enacted in 1996.", "answer": True,
     "explanation": "Public Law 104-191 was signed on August 21, 1996.", "source": FACT},
    {"id": "false-statement", "type": "true_false", "prompt": "A coder may share a patient's diagnosis with a friend.", "answer": False,
     "source": FACT},
    {"id": "abbreviation", "type": "short_text", "prompt": "What does the abbreviation {PHI} stand for?",
     "accepted": ["protected health information", "protected health info"], "source": FACT},
    {"id": "escapes-every-one", "type": "single_choice", "prompt": "A ratio of 1:2 = 50 percent.\nWhich symbol starts a wrong answer?",
     "choices": ["tilde ~", "hash #", "backslash \\"], "answer": "tilde ~", "source": FACT},
    {"id": "year", "type": "numeric", "prompt": "In what year was HIPAA enacted?", "answer": 1996, "tolerance": 0, "source": FACT},
    {"id": "what-was-the-median-hourly-pay", "type": "numeric", "prompt": "What was the median hourly pay, in dollars, to the nearest 50 cents?",
     "answer": 22.5, "tolerance": 0.5, "source": FACT},
    {"id": "range", "type": "numeric", "prompt": "Name a whole number from 1 to 5.", "answer": 3, "tolerance": 2, "source": FACT},
    {"id": "match-the-code-sets", "type": "matching", "prompt": "Match each code set with what it codes.",
     "pairs": [{"prompt": "ICD-10-CM", "match": "diagnoses"}, {"prompt": "CPT", "match": "procedures and services"},
               {"prompt": "HCPCS Level II", "match": "supplies and equipment"}],
     "distractors": ["hospital room numbers"], "source": FACT},
    {"id": "billers-and-coders-send-claims-to", "type": "single_choice", "prompt": "Billers and coders send claims to the _____ for payment.",
     "choices": ["patient's employer", "insurance company", "state court"], "answer": "insurance company", "source": FACT},
    {"id": "claim-form", "type": "single_choice", "prompt": "Which form does a professional claim use?",
     "choices": ["CMS-1500", "UB-04"], "answer": "CMS-1500", "source": FACT},
    {"id": "year-2", "type": "numeric", "prompt": "Which year's figures does the source article quote for pay?", "answer": 2008,
     "tolerance": 0, "source": FACT},
]


def test_every_supported_construct_is_converted_question_by_question(run, content):
    gift = GIFT / "every-construct.gift"
    result = run(gift, "--quiz", "code-sets", "--module", "role", "--source", FACT)
    assert result.exit_code == 0, result.output
    path = content / "quizzes" / "code-sets.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data) == ["schema", "slug", "kind", "module", "title", "pass_mark", "draw", "attempts_allowed", "questions"]
    assert {k: v for k, v in data.items() if k != "questions"} == {
        "schema": 1, "slug": "code-sets", "kind": "exercise", "module": "role", "title": "Week 1 review",
        "pass_mark": 80, "draw": 14, "attempts_allowed": 0}
    for written, expected in zip(data["questions"], EVERY_CONSTRUCT, strict=True):
        assert written == expected
        assert list(written)[:3] == ["id", "type", "prompt"] and list(written)[-1] == "source"
        assert REGISTRY[written["type"]].validate(written) == []
    assert reported(result, gift) == [
        (22, "note: partial credit weights (70%, 30%) are scored all-or-nothing: right only when exactly the 2 right choice(s) are chosen"),
        (24, "not kept: feedback on choice \"Checking the patient's insurance\" (multiple_response has no per-choice feedback)"),
        (28, "not kept: true/false feedback 'No: it was enacted in 1996.' (put it in the general feedback, ####text)"),
        (28, "not kept: true/false feedback 'Right.' (put it in the general feedback, ####text)"),
    ]
    assert "Converted 14 question(s): 1 matching, 2 multiple_response, 4 numeric, 1 short_text, 4 single_choice, 2 true_false." in result.stdout
    assert f"Wrote {path}." in result.stdout
    # Questions without general feedback have no explanation yet: the author is told, and the exit status is still 0.
    assert f"{path}:" in result.stderr and "explanation: missing" in result.stderr
    assert "add an `explanation:`" in result.stdout and "source:" not in result.stdout.split("remain")[1]


def test_unconvertible_constructs_are_reported_with_their_lines(run, content):
    gift = GIFT / "unconvertible.gift"
    result = run(gift, "--quiz", "leftovers", "--module", "role", "--source", FACT)
    assert result.exit_code == 0, result.output
    assert [(line, message.split(":")[0].split(" (")[0]) for line, message in reported(result, gift)] == [
        (3, "skipped essay question"),
        (5, "skipped description"),
        (7, "skipped multiple choice"),  # no right answer
        (9, "skipped question"),  # braces do not pair up
        (11, "skipped question"),  # two answer sections
        (15, "not kept"),  # the 50% alternative
        (15, "not kept"),  # and its feedback
        (20, "not kept"),  # the 50% numeric alternative
        (23, "skipped matching question"),  # one pair only
        (25, "skipped multiple choice"),  # two answers marked =
        (27, "not kept"),  # feedback on a multiple-response choice
        (29, "not kept"),  # true/false feedback on the right answer (the one on a wrong answer is the explanation)
        (31, "not kept"),  # numeric wrong-answer feedback (the right answer's feedback is the explanation)
        (33, "skipped numeric question"),
        (35, "skipped question"),  # no prompt
        (37, "skipped question"),  # unclosed title
        (39, "not kept"),  # the <img> of an [html] prompt
        (41, "note"),  # partial credit on a wrong choice
    ]
    messages = dict(reported(result, gift))
    assert "no right answer" in messages[7] and "braces do not pair up" in messages[9] and "2 {...} answer sections" in messages[11]
    assert "pairs: must be a list of 2+" in messages[23] and "'eighteen' is not a number" in messages[33]
    assert messages[39] == "not kept: an HTML <img> (only the text of [html] is imported)"
    assert "partial credit (50%) for 'CPT'" in messages[41]
    data = yaml.safe_load((content / "quizzes" / "leftovers.yaml").read_text(encoding="utf-8"))
    assert [(q["id"], q["type"]) for q in data["questions"]] == [
        ("partial-short", "short_text"), ("extra-numeric", "numeric"), ("mr-feedback", "multiple_response"),
        ("tf-feedback", "true_false"), ("numeric-feedback", "numeric"), ("image", "single_choice"), ("partial-choice", "single_choice")]
    questions = {q["id"]: q for q in data["questions"]}
    assert questions["partial-short"]["accepted"] == ["protected health information"]
    assert (questions["extra-numeric"]["answer"], questions["extra-numeric"]["tolerance"]) == (1996, 0)
    assert questions["mr-feedback"]["answers"] == ["Name", "Phone number", "E-mail"]
    assert questions["image"]["prompt"] == "Which claim form is shown?"
    assert (questions["tf-feedback"]["explanation"], questions["numeric-feedback"]["explanation"]) == ("It does.", "Right")
    assert "18 construct(s) could not be converted (10 question(s) skipped, 8 part(s) of converted questions not kept)" in result.stdout


def test_a_file_with_explanations_and_a_source_passes_validation_and_syncs(run, content, db):
    result = run(GIFT / "ready-to-sync.gift", "--quiz", "hipaa-basics", "--module", "confidentiality", "--source", FACT)
    assert result.exit_code == 0, result.output
    assert "passes `flask --app app content validate`" in result.stdout and result.stderr == ""
    course, problems = load_course(content)
    assert problems == []
    quiz = next(q for q in course.quizzes if q.slug == "hipaa-basics")
    assert (quiz.kind, quiz.module, quiz.title, quiz.draw) == ("exercise", "confidentiality", "HIPAA basics", 3)
    sync_content(content)
    db.session.commit()
    synced = db.session.scalar(select(Quiz).where(Quiz.slug == "hipaa-basics"))
    assert [q.type for q in synced.questions] == ["numeric", "true_false", "single_choice"]


def test_an_existing_file_is_left_byte_identical_without_force(run, content):
    path = content / "quizzes" / "hipaa-basics.yaml"
    original = b"# hand-edited\r\nschema: 1\nslug: hipaa-basics\nmodule: confidentiality\n"
    path.write_bytes(original)
    result = run(GIFT / "ready-to-sync.gift", "--quiz", "hipaa-basics", "--module", "confidentiality")
    assert result.exit_code == 1
    assert "already exists and was left unchanged; use --force to replace it" in result.output
    assert path.read_bytes() == original
    # With --force the file is replaced, and its module is kept when --module is not given.
    result = run(GIFT / "ready-to-sync.gift", "--quiz", "hipaa-basics", "--force", "--source", FACT)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["module"] == "confidentiality"


def test_an_undecodable_file_gives_a_clear_message_and_writes_nothing(run, content, tmp_path):
    gift = tmp_path / "latin1.gift"
    gift.write_bytes("::Caf\u00e9::Is this UTF-8? {F}\n".encode("latin-1"))
    result = run(gift, "--quiz", "latin", "--module", "role")
    assert result.exit_code == 1
    assert f"{gift} is not UTF-8 text (invalid byte at offset 5)" in result.output and "Traceback" not in result.output
    assert not (content / "quizzes" / "latin.yaml").exists()


def test_a_file_with_nothing_convertible_exits_1_and_writes_nothing(run, content):
    gift = GIFT / "nothing-convertible.gift"
    before = sorted(p.name for p in (content / "quizzes").iterdir())
    result = run(gift, "--quiz", "nothing", "--module", "role")
    assert result.exit_code == 1
    assert [line for line, _ in reported(result, gift)] == [2, 4]
    assert "No question in" in result.stderr and "nothing was written" in result.stderr
    assert sorted(p.name for p in (content / "quizzes").iterdir()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quiz", "new-quiz"], "--module is required for a new quiz file"),
        (["--quiz", "new-quiz", "--module", "astronomy"], "'astronomy' is not a module in lessons/modules.yaml"),
        (["--quiz", "New_Quiz", "--module", "role"], "'New_Quiz' is not a slug"),
        (["--quiz", "new-quiz", "--module", "role", "--source", "S-99"], "'S-99' is not a fact id in lessons/facts.yaml"),
    ],
    ids=["no-module", "unknown-module", "bad-slug", "unknown-fact"],
)
def test_bad_options_are_refused_before_anything_is_written(run, content, args, message):
    result = run(GIFT / "ready-to-sync.gift", *args)
    assert result.exit_code == 2 and message in result.output
    assert not list((content / "quizzes").glob("new*"))


def test_output_outside_the_content_root_is_checked_as_if_it_were_in_quizzes(run, content, tmp_path):
    target = tmp_path / "elsewhere" / "hipaa.yaml"
    result = run(GIFT / "ready-to-sync.gift", "--quiz", "hipaa", "--module", "confidentiality", "--kind", "quiz",
                 "--title", "HIPAA in brief", "--pass-mark", "70", "--source", FACT, "--output", target)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert "kind" not in data and (data["title"], data["pass_mark"]) == ("HIPAA in brief", 70)
    # The module already has its quiz, so a second one of kind quiz is a problem; the author is told how to fix it.
    assert f"{target}:" in result.stderr and "--kind exercise" in result.stdout
    assert not (content / "quizzes" / "hipaa.yaml").exists()


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        ("// only a comment\n\n   \n", []),
        ("::A\\::B::Q? {T}", [("a-b", "true_false")]),
        ("First line\nsecond line {=yes =sure}", [("first-line-second-line", "short_text")]),
        ("Q {\n// a comment inside\n=1 -> a\n=2 -> b\n}", [("q", "matching")]),
        ("Q? {#-5..-1}", [("q", "numeric")]),
        ("Same? {T}\n\nSame? {F}\n\nSame? {T}", [("same", "true_false"), ("same-2", "true_false"), ("same-3", "true_false")]),
        ("$CATEGORY: a/b\n::T::Q? {=x ~y}", [("t", "single_choice")]),
    ],
    ids=["comment-only", "escaped-colon-title", "multi-line-prompt", "comment-in-answers", "negative-range", "dedupe", "category-then-question"],
)
def test_parser_edge_cases(gift, expected):
    conversion = convert_gift(parse_gift(gift))
    assert [(q["id"], q["type"]) for q in conversion.questions] == expected
    assert conversion.issues == []


def test_numbers_text_and_titles():
    question = convert_gift(parse_gift("Q? {#-5..-1}")).questions[0]
    assert (question["answer"], question["tolerance"]) == (-3, 2)
    assert convert_gift(parse_gift("Q? {#0.1..0.3}")).questions[0]["answer"] == 0.2
    assert parse_gift("First line\nsecond line {=yes}").questions[0].prompt == "First line second line"
    assert parse_gift("::T::[html]<p>A &amp; B&lt;C</p>{=x ~y}").questions[0].prompt == "A & B<C"
    assert default_title(["$course$/top/Billing//Coding"]) == "Billing/Coding"
    assert default_title(["$course$/top"]) == default_title([]) == "Imported quiz"
    assert slugify("Ça coûte combien? " * 6) == "ca-coute-combien-ca-coute-combien-ca-coute-combien"


def test_moodle_examples_keep_what_moodle_keeps(run, content):
    gift = GIFT / "moodle-constructs.gift"
    result = run(gift, "--quiz", "moodle-constructs", "--module", "role", "--source", FACT)
    assert result.exit_code == 0, result.output
    questions = {q["id"]: q for q in yaml.safe_load((content / "quizzes" / "moodle-constructs.yaml").read_text(encoding="utf-8"))["questions"]}
    assert len(questions) == 11, "no question is skipped"
    # Moodle's short answers ignore case: case variants are one accepted answer, not a duplicate that skips the question.
    assert questions["case-variants"]["accepted"] == ["protected health information"]
    assert questions["case-variants"]["explanation"] == "Right: PHI is protected health information."
    assert questions["markdown-prompt"]["prompt"] == (
        "Which law protects patient information? Hint: see the HHS page (https://www.hhs.gov/hipaa/index.html).")
    assert questions["link-in-html"]["prompt"] == ("Read the Privacy Rule (https://www.hhs.gov/hipaa/for-professionals/privacy/index.html) "
                                                   "first. Then open the handout. Does the rule cover paper records?")
    assert questions["inline-tags"]["prompt"] == "A coder's desk is part of the work Environment. Which agency sets its safety rules?"
    assert questions["tf-feedback-only"]["explanation"] == "It does: a name is one of the 18 identifiers."
    assert questions["tf-and-general-feedback"]["explanation"] == "Sharing PHI needs the patient's authorisation or a permitted purpose."
    assert questions["right-answer-feedback"]["explanation"] == "Yes: ICD-10-CM codes diagnoses."
    assert questions["shortanswer-wildcard"] == {
        "id": "shortanswer-wildcard", "type": "short_text", "prompt": "Which credential does AHIMA award to coders with an associate degree?",
        "accepted": ["RHIT"], "explanation": "Good!", "source": FACT}
    assert [p["prompt"] for p in questions["matching-with-formats"]["pairs"]] == [
        "Diagnoses, in ICD-10-CM", "Procedures and services", "Supplies and equipment", "Inpatient procedures"]
    assert questions["feedback-formats"]["feedback"] == {"OSHA": "right; good!", "CMS": "wrong, it's OSHA", "HHS": "wrong, it's OSHA"}
    assert not any("**" in str(q) or "<" in str(q) for q in questions.values())
    assert reported(result, gift) == [
        (12, "not kept: the link '@@PLUGINFILE@@/handout.pdf' on 'the handout' (only web addresses are kept)"),
        (17, "not kept: true/false feedback 'You gave the right answer.' (the explanation is 'It does: a name is one of the 18 identifiers.')"),
        (19, "not kept: true/false feedback 'Never: that is a breach of PHI.' (put it in the general feedback, ####text)"),
        (19, "not kept: true/false feedback 'You gave the right answer.' (put it in the general feedback, ####text)"),
        (26, "not kept: answer 'ICD-9-CM' worth 50% (only full-credit answers are kept)"),
        (26, "not kept: feedback on answer 'ICD-9-CM'"),
        (44, "not kept: wrong-answer feedback 'Completely wrong'"),
        (48, "not kept: answer 'RHIA' worth 50% (only full-credit answers are kept)"),
        (48, "not kept: feedback on answer 'RHIA'"),
        (49, "not kept: answer '*' worth 0% (only full-credit answers are kept)"),
        (49, "not kept: feedback on answer '*'"),
    ]
