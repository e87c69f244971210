"""Coding cases: the learner reads an encounter note and enters the ICD-10-CM code or codes for it."""

from dataclasses import dataclass
from typing import Any

from app.codeset import lookup
from app.content.render import render_markdown
from app.questions.base import AnswerError, Interaction, QuestionType

MAX_CODES = 12


@dataclass(frozen=True)
class Verdict:
    """What the result says of one code: right, misplaced, missing, extra or not billable, and why."""

    code: str
    status: str
    note: str = ""

    def __str__(self) -> str:
        text = {"right": "right", "misplaced": "right code, wrong place", "missing": "missing", "extra": "extra",
                "not billable": "not billable", "unknown": "not an ICD-10-CM code"}[self.status]
        return f"{self.code}: {text}" + (f" ({self.note})" if self.note else "")


def _code_list(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        return None
    return value


class CodeEntry(QuestionType):
    """One or more codes typed (or picked from the code browser); right when they match the key or an accepted set."""

    name = "code_entry"
    fields = frozenset({"codes", "ordered", "accepted", "feedback"})
    required = frozenset({"codes"})

    def check(self, definition):
        problems, sets = [], []
        codes = _code_list(definition["codes"])
        if codes is None:
            return ["codes: must be a non-empty list of codes"]
        sets.append(codes)
        accepted = definition.get("accepted", [])
        if not isinstance(accepted, list) or any(_code_list(group) is None for group in accepted):
            problems.append("accepted: must be a list of code lists, e.g. [[E11.40]]")
        else:
            sets += accepted
        for group in sets:
            normal = [lookup.normalise(code) for code in group]
            problems += [f"codes: {code!r} is not written like an ICD-10-CM code (e.g. E11.42)"
                         for code, norm in zip(group, normal, strict=True) if norm is None]
            if len(set(normal)) != len(normal):
                problems.append("codes: a set lists the same code twice")
        if not isinstance(definition.get("ordered", False), bool):
            problems.append("ordered: must be true or false")
        feedback = definition.get("feedback", {})
        if not isinstance(feedback, dict) or not all(isinstance(v, str) and v.strip() for v in feedback.values()):
            problems.append("feedback: must map codes to texts")
        else:
            problems += [f"feedback: {code!r} is not written like an ICD-10-CM code" for code in feedback if not lookup.normalise(str(code))]
        return problems

    def present(self, definition, rng):
        shown = super().present(definition, rng)
        shown["codes"] = [lookup.normalise(code) for code in definition["codes"]]
        shown["accepted"] = [[lookup.normalise(code) for code in group] for group in definition.get("accepted", [])]
        shown["feedback"] = {lookup.normalise(str(code)): text for code, text in definition.get("feedback", {}).items()}
        shown["ordered"] = bool(definition.get("ordered", False))
        shown["case_html"] = render_markdown(definition["prompt"])  # the note as shown, kept in the attempt's snapshot
        return shown

    def parse_values(self, shown, values):
        pieces = [piece for value in values for piece in lookup.split_codes(value)]
        if not pieces:
            return None
        if len(pieces) > MAX_CODES:
            raise AnswerError(f"Enter at most {MAX_CODES} codes.")
        codes = []
        for piece in pieces:
            code = lookup.normalise(piece)
            if code is None:
                raise AnswerError(f"“{piece[:20]}” is not written like an ICD-10-CM code: a letter, two characters, "
                                  "then up to four more after a dot, for example E11.42.")
            if code not in codes:
                codes.append(code)
        return codes

    def _sets(self, shown):
        return [shown["codes"], *shown.get("accepted", [])]

    def _matches(self, shown, answer, key):
        return answer == key if shown.get("ordered") else set(answer) == set(key)

    def is_correct(self, shown, answer):
        return bool(answer) and any(self._matches(shown, answer, key) for key in self._sets(shown))

    def closest_key(self, shown, answer):
        """The correct set nearest to the answer (most codes in common), the one its verdicts compare with."""
        return max(self._sets(shown), key=lambda key: len(set(key) & set(answer or [])))

    def verdicts(self, shown, answer) -> list[Verdict]:
        """Each code entered (right, misplaced, extra, not billable) and each one missing, with the mapped feedback."""
        answer = answer or []
        key = self.closest_key(shown, answer)
        statuses = lookup.statuses(code for code in answer if code not in key)
        result = []
        for position, code in enumerate(answer):
            note = shown.get("feedback", {}).get(code, "")
            if code in key:
                placed = not shown.get("ordered") or key.index(code) == position
                result.append(Verdict(code, "right" if placed else "misplaced",
                                      "" if placed else f"list it {'first' if key.index(code) == 0 else 'number ' + str(key.index(code) + 1)}"))
            elif code not in statuses:
                result.append(Verdict(code, "unknown", note or "not in this release of the code set"))
            elif not statuses[code].billable:
                result.append(Verdict(code, "not billable", note or f"a {statuses[code].kind}: choose a more specific code"))
            else:
                result.append(Verdict(code, "extra", note))
        result += [Verdict(code, "missing") for code in key if code not in answer]
        return result

    def wrong_codes(self, shown, answer) -> list[str]:
        """The codes entered that no correct set has (what item analysis counts)."""
        right = {code for key in self._sets(shown) for code in key}
        return [code for code in answer or [] if code not in right]

    def describe_answer(self, shown, answer):
        return "(no answer)" if not answer else ", ".join(answer)

    def interaction(self, shown, answer):
        # A fill-in of several codes: each correct set is one pattern, "[,]"-joined, in order only when the case says so.
        prefix = "" if shown.get("ordered") else "{order_matters=false}"
        return Interaction("fill-in", [prefix + "[,]".join(key) for key in self._sets(shown)], "[,]".join(answer or []))

    def describe_correct(self, shown):
        text = ", ".join(shown["codes"]) + (" (in this order)" if shown.get("ordered") else "")
        others = [", ".join(group) for group in shown.get("accepted", [])]
        return text + (f"; also accepted: {'; '.join(others)}" if others else "")

    def feedback(self, shown, answer):
        if not answer:
            return None
        return "; ".join(str(verdict) for verdict in self.verdicts(shown, answer)) + "."
