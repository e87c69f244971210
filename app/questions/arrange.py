"""Types answered by arranging: put items in order, match pairs, select parts of a passage."""

import re
from typing import Any

from app.questions.base import AnswerError, Interaction, QuestionType, component_id, join_ids, norm_text, string_list

PART = re.compile(r"\[\[(.+?)\]\]")


def _positions(form: Any, name: str, count: int) -> list[str]:
    return [(form.get(f"{name}-{index}") or "").strip() for index in range(count)]


class Ordering(QuestionType):
    """Put the items in their correct order; the file lists them in that order."""

    name = "ordering"
    fields = frozenset({"items"})
    required = fields

    def check(self, definition):
        return string_list(definition, "items", 3)

    def present(self, definition, rng):
        shown = super().present(definition, rng)
        shuffled = list(definition["items"])
        for _ in range(10):  # a shuffle that leaves the answer showing is no question
            rng.shuffle(shuffled)
            if shuffled != definition["items"]:
                break
        shown["items"], shown["correct_order"] = shuffled, list(definition["items"])
        return shown

    def parse_answer(self, shown, form, name):
        raw = _positions(form, name, len(shown["items"]))
        if not any(raw):
            return None
        try:
            positions = [int(value) for value in raw]
        except ValueError:
            raise AnswerError("Give every item a position.") from None
        if sorted(positions) != list(range(1, len(raw) + 1)):
            raise AnswerError("Give each item a different position, from 1 to the number of items.")
        order = sorted(range(len(raw)), key=lambda index: positions[index])
        return [shown["items"][index] for index in order]

    def is_correct(self, shown, answer):
        return answer == shown["correct_order"]

    def describe_answer(self, shown, answer):
        return "(no answer)" if not answer else " → ".join(answer)

    def describe_correct(self, shown):
        return " → ".join(shown["correct_order"])

    def interaction(self, shown, answer):
        choices = [(component_id(item), item) for item in shown["items"]]
        return Interaction("sequencing", [join_ids(shown["correct_order"])], join_ids(answer or []), {"choices": choices})


class Matching(QuestionType):
    """Match each prompt with its partner; extra distractors may be offered."""

    name = "matching"
    fields = frozenset({"pairs", "distractors"})
    required = frozenset({"pairs"})

    def check(self, definition):
        pairs = definition["pairs"]
        if not isinstance(pairs, list) or len(pairs) < 2 or not all(
            isinstance(p, dict) and set(p) == {"prompt", "match"} and all(isinstance(v, str) and v.strip() for v in p.values())
            for p in pairs
        ):
            return ["pairs: must be a list of 2+ mappings with exactly a prompt and a match"]
        problems = []
        options = [p["match"] for p in pairs] + list(definition.get("distractors", []))
        if "distractors" in definition:
            problems += string_list(definition, "distractors", 1)
        if len({norm_text(p["prompt"]) for p in pairs}) != len(pairs):
            problems.append("pairs: has duplicate prompts")
        if not problems and len({norm_text(o) for o in options}) != len(options):
            problems.append("pairs: matches and distractors must all differ")
        return problems

    def present(self, definition, rng):
        shown = super().present(definition, rng)
        prompts = [p["prompt"] for p in definition["pairs"]]
        options = [p["match"] for p in definition["pairs"]] + list(definition.get("distractors", []))
        rng.shuffle(prompts)
        rng.shuffle(options)
        shown["prompts"], shown["options"] = prompts, options
        return shown

    def parse_answer(self, shown, form, name):
        raw = _positions(form, name, len(shown["prompts"]))
        if not any(raw):
            return None
        try:
            picked = [int(value) for value in raw]
        except ValueError:
            raise AnswerError("Choose a match for every item.") from None
        if any(index < 0 or index >= len(shown["options"]) for index in picked):
            raise AnswerError("Choose a match for every item.")
        return picked

    def _key(self, shown):
        return {p["prompt"]: p["match"] for p in shown["pairs"]}

    def is_correct(self, shown, answer):
        key = self._key(shown)
        return answer is not None and all(
            shown["options"][picked] == key[prompt] for prompt, picked in zip(shown["prompts"], answer, strict=True)
        )

    def describe_answer(self, shown, answer):
        if answer is None:
            return "(no answer)"
        return "; ".join(f"{prompt} → {shown['options'][picked]}" for prompt, picked in zip(shown["prompts"], answer, strict=True))

    def describe_correct(self, shown):
        return "; ".join(f"{p['prompt']} → {p['match']}" for p in shown["pairs"])

    def interaction(self, shown, answer):
        key = self._key(shown)
        correct = "[,]".join(f"{component_id(prompt)}[.]{component_id(key[prompt])}" for prompt in shown["prompts"])
        response = "" if answer is None else "[,]".join(
            f"{component_id(prompt)}[.]{component_id(shown['options'][picked])}" for prompt, picked in zip(shown["prompts"], answer, strict=True))
        components = {"source": [(component_id(p), p) for p in shown["prompts"]],
                      "target": [(component_id(o), o) for o in shown["options"]]}
        return Interaction("matching", [correct], response, components)


class SelectParts(QuestionType):
    """Select every marked part of a passage that answers the prompt (for example, each identifier)."""

    name = "select_parts"
    fields = frozenset({"passage", "answers"})
    required = fields

    def check(self, definition):
        passage = definition["passage"]
        if not isinstance(passage, str):
            return ["passage: must be text with parts marked [[like this]]"]
        parts = PART.findall(passage)
        problems = string_list(definition, "answers", 1)
        if len(parts) < 3:
            problems.append("passage: needs at least 3 parts marked [[like this]]")
        if len({norm_text(p) for p in parts}) != len(parts):
            problems.append("passage: two marked parts have the same text")
        if not problems:
            problems += [f"answers: {a!r} is not a marked part of the passage" for a in definition["answers"] if a not in parts]
        return problems

    def present(self, definition, rng):
        shown = super().present(definition, rng)
        segments, last, parts = [], 0, []
        for match in PART.finditer(definition["passage"]):
            segments.append({"text": definition["passage"][last:match.start()]})
            segments.append({"text": match.group(1), "part": len(parts)})
            parts.append(match.group(1))
            last = match.end()
        segments.append({"text": definition["passage"][last:]})
        shown["segments"], shown["parts"] = segments, parts
        return shown

    def parse_answer(self, shown, form, name):
        try:
            picked = sorted({int(value) for value in form.getlist(name)})
        except ValueError:
            raise AnswerError("Select parts of the passage shown.") from None
        if any(index < 0 or index >= len(shown["parts"]) for index in picked):
            raise AnswerError("Select parts of the passage shown.")
        return picked or None

    def is_correct(self, shown, answer):
        return {shown["parts"][index] for index in answer or []} == set(shown["answers"])

    def describe_answer(self, shown, answer):
        return "(nothing selected)" if not answer else "; ".join(shown["parts"][index] for index in answer)

    def describe_correct(self, shown):
        return "; ".join(part for part in shown["parts"] if part in shown["answers"])

    def interaction(self, shown, answer):
        # Selecting parts of a passage is a choice among the marked parts, several of them right.
        response = join_ids([shown["parts"][index] for index in answer or []])
        choices = [(component_id(part), part) for part in shown["parts"]]
        return Interaction("choice", [join_ids([p for p in shown["parts"] if p in shown["answers"]])], response, {"choices": choices})
