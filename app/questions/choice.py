"""Types answered by picking: single choice (with optional per-choice feedback), multiple response, true/false."""


from app.questions.base import AnswerError, ChoiceType, Interaction, QuestionType, component_id, join_ids, string_list


def _choices(texts):
    return {"choices": [(component_id(text), text) for text in texts]}


class SingleChoice(ChoiceType):
    """Exactly one right choice among several."""

    name = "single_choice"
    fields = frozenset({"choices", "answer", "feedback"})
    required = frozenset({"choices", "answer"})

    def check(self, definition):
        problems = string_list(definition, "choices", 2)
        if not problems and definition["answer"] not in definition["choices"]:
            problems.append("answer: is not one of the choices")
        feedback = definition.get("feedback", {})
        if not isinstance(feedback, dict) or not all(isinstance(v, str) and v.strip() for v in feedback.values()):
            problems.append("feedback: must map choices to texts")
        elif not problems:
            problems += [f"feedback: {key!r} is not one of the choices" for key in feedback if key not in definition["choices"]]
        return problems

    def feedback(self, shown, answer):
        return None if answer is None else shown.get("feedback", {}).get(shown["choices"][answer])

    def parse_values(self, shown, values):
        picked = self._indices(shown, values)
        if len(picked) > 1:
            raise AnswerError("Choose only one option.")
        return picked[0] if picked else None

    def is_correct(self, shown, answer):
        return answer is not None and shown["choices"][answer] == shown["answer"]

    def describe_answer(self, shown, answer):
        return "(no answer)" if answer is None else shown["choices"][answer]

    def describe_correct(self, shown):
        return shown["answer"]

    def interaction(self, shown, answer):
        response = "" if answer is None else component_id(shown["choices"][answer])
        return Interaction("choice", [component_id(shown["answer"])], response, _choices(shown["choices"]))


class MultipleResponse(ChoiceType):
    """Several right choices; the answer is right only when exactly those are chosen."""

    name = "multiple_response"
    fields = frozenset({"choices", "answers"})
    required = fields

    def check(self, definition):
        problems = string_list(definition, "choices", 3) + string_list(definition, "answers", 1)
        if not problems:
            missing = [a for a in definition["answers"] if a not in definition["choices"]]
            problems += [f"answers: {a!r} is not one of the choices" for a in missing]
        return problems

    def parse_values(self, shown, values):
        return self._indices(shown, values) or None

    def is_correct(self, shown, answer):
        chosen = {shown["choices"][index] for index in answer or []}
        return chosen == set(shown["answers"])

    def describe_answer(self, shown, answer):
        return "(no answer)" if not answer else "; ".join(shown["choices"][i] for i in answer)

    def describe_correct(self, shown):
        return "; ".join(choice for choice in shown["choices"] if choice in shown["answers"])

    def interaction(self, shown, answer):
        response = join_ids([shown["choices"][index] for index in answer or []])
        # Both in the order shown, so a right response reads exactly as the pattern does.
        correct = join_ids([choice for choice in shown["choices"] if choice in shown["answers"]])
        return Interaction("choice", [correct], response, _choices(shown["choices"]))


class TrueFalse(QuestionType):
    """A statement the learner marks true or false."""

    name = "true_false"
    fields = frozenset({"answer"})
    required = fields

    def check(self, definition):
        return [] if isinstance(definition["answer"], bool) else ["answer: must be true or false"]

    def parse_values(self, shown, values):
        if not values:
            return None
        if values[0] not in ("true", "false") or len(values) > 1:
            raise AnswerError("Choose True or False.")
        return values[0] == "true"

    def is_correct(self, shown, answer):
        return answer is not None and answer == shown["answer"]

    def describe_answer(self, shown, answer):
        return "(no answer)" if answer is None else ("True" if answer else "False")

    def describe_correct(self, shown):
        return "True" if shown["answer"] else "False"

    def interaction(self, shown, answer):
        return Interaction("true-false", [str(shown["answer"]).lower()], "" if answer is None else str(answer).lower())


