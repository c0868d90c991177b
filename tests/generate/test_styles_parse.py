"""The question styles' reply checks and option handling, pure (no server, no database)."""

from __future__ import annotations

import pytest

from graphgen_neo4j.generate.styles import (
    CotReply,
    MultiAnswerReply,
    blank_reply_model,
    build_choice,
    choice_reply_model,
    option_letter,
    styled_blank,
    styled_choice,
    styled_cot,
    styled_multi_answer,
    true_false,
)
from graphgen_neo4j.llm.parsing import ReplyError, parse_model


def choice():
    made = build_choice("multi_choice:rel-1", "ent-1", "Rice blast", ["Sheath blight", "rice blast", "False smut", "Head blight"])
    assert made is not None
    return made


def test_options_are_deduplicated_capped_and_shuffled_the_same_way_every_time() -> None:
    made = choice()
    assert sorted(made.options) == ["False smut", "Head blight", "Rice blast", "Sheath blight"]
    assert made.options[made.correct] == "Rice blast"
    assert choice() == made  # deterministic
    orders = {build_choice(f"k{i}", "e", "A", ["B", "C", "D"]).options for i in range(20)}
    assert len(orders) > 3  # but not always the same order
    assert build_choice("k", "e", "A", ["B", "a"]) is None  # too few distinct distractors


@pytest.mark.parametrize("written", ["{letter}", "({letter})", "{letter}. Rice blast", "Rice blast", "Option {letter}",
                                     "选{letter}", "the answer is Rice blast"])
def test_the_answer_may_be_written_as_small_models_write_it(written: str) -> None:
    made = choice()
    reply = parse_model(f'{{"question": "Which disease does the fungus cause?", "answer": "{written.format(letter=made.letter)}"}}',
                        choice_reply_model(made))
    styled = styled_choice(reply, made, "en")
    assert styled.answer == made.letter and styled.answer_key == [made.letter]
    assert styled.question.splitlines()[0] == "Which disease does the fungus cause?"


def test_an_answer_not_among_the_options_or_wrong_or_named_in_the_stem_is_rejected() -> None:
    made = choice()
    model = choice_reply_model(made)
    with pytest.raises(ReplyError, match="not one of the options"):
        parse_model('{"question": "Which disease?", "answer": "Z"}', model)
    wrong = next(x for x in "ABCD" if x != made.letter)
    with pytest.raises(ReplyError, match="is wrong: the fact supports"):
        parse_model(f'{{"question": "Which disease?", "answer": "{wrong}"}}', model)
    with pytest.raises(ReplyError, match="names the answer"):
        parse_model(f'{{"question": "Rice blast?", "answer": "{made.letter}"}}', model)  # nothing but the answer
    # a stem that states the fact gets a blank where the answer was (the 0.5B model writes these)
    cloze = parse_model(f'{{"question": "The fungus causes rice Blast in paddies.", "answer": "{made.letter}"}}', model)
    assert cloze.question == "The fungus causes ____ in paddies."
    assert option_letter("Sheath blight or false smut", made.options) is None  # two options named


def test_multi_answer_letters_and_shape() -> None:
    reply = parse_model('{"question": "Which are true?", "correct": ["1. a", "2. b"], "wrong": "c"}', MultiAnswerReply)
    styled = styled_multi_answer(reply, "multi_answer", "zh")
    assert sorted(styled.options or []) == ["a", "b", "c"] and styled.question.splitlines()[1] == "选项："
    assert [styled.options[ord(x) - 65] for x in styled.answer_key or []] == [o for o in styled.options if o != "c"]
    for bad, why in [('"correct": ["a"], "wrong": ["c"]', "at least two correct"),
                     ('"correct": ["a", "b"], "wrong": []', "at least one wrong"),
                     ('"correct": ["a", "b"], "wrong": ["A"]', "both correct and wrong")]:
        with pytest.raises(ReplyError, match=why):
            parse_model(f'{{"question": "q", {bad}}}', MultiAnswerReply)


def test_cot_steps_as_a_list_or_as_numbered_text() -> None:
    listed = parse_model('{"question": "q", "reasoning": ["A causes B.", "B harms C."], "answer": "A harms C."}', CotReply)
    text = parse_model('{"question": "q", "steps": "1. A causes B.\\n2. B harms C.", "answer": "A harms C."}', CotReply)
    assert listed.reasoning == text.reasoning == ["A causes B.", "B harms C."]
    styled = styled_cot(text, "en")
    assert styled.answer == "1. A causes B.\n2. B harms C.\nAnswer: A harms C." and styled.reasoning == text.reasoning
    with pytest.raises(ReplyError, match="list of steps"):
        parse_model('{"question": "q", "reasoning": [], "answer": "a"}', CotReply)


def test_fill_in_blank_checks_the_blank_and_the_hidden_term() -> None:
    model = blank_reply_model("Magnaporthe oryzae Rice blast Magnaporthe oryzae causes rice blast.")
    reply = parse_model('{"sentence": "Magnaporthe oryzae causes [BLANK].", "answer": "rice blast"}', model)
    assert styled_blank(reply, "en").question == "Fill in the blank: Magnaporthe oryzae causes ____."
    named = blank_reply_model("Magnaporthe oryzae Rice blast Magnaporthe oryzae causes rice blast.",
                              ["Rice blast", "Magnaporthe oryzae"])
    hid_all = parse_model('{"sentence": "Magnaporthe oryzae causes rice blast.", '
                          '"answer": "Magnaporthe oryzae causes rice blast."}', named)  # what the 0.5B model wrote
    assert (hid_all.sentence, hid_all.answer) == ("Magnaporthe oryzae causes ____.", "rice blast")
    whole = parse_model('{"question": "Magnaporthe oryzae causes Rice blast.", "answer": "rice blast"}', model)
    assert (whole.sentence, whole.answer) == ("Magnaporthe oryzae causes ____.", "Rice blast")  # small models do this
    for sentence, answer, why in [("Magnaporthe oryzae causes rice blast.", "wheat", "exactly one blank"),
                                  ("____ causes ____.", "rice blast", "exactly one blank"),
                                  ("Magnaporthe oryzae causes ____ (rice blast).", "rice blast", "still contains"),
                                  ("Magnaporthe oryzae causes ____.", "wheat rust", "not in the material"),
                                  ("____", "Magnaporthe oryzae causes rice blast.", "most of the sentence")]:
        with pytest.raises(ReplyError, match=why):
            parse_model(f'{{"sentence": "{sentence}", "answer": "{answer}"}}', model)


def test_true_false_uses_the_quiz_statements_and_labels() -> None:
    statements, labels = ["A causes B.", "A does not cause B."], [True, False]
    picked = [true_false(f"true_false:rel-{i}", statements, labels, "en") for i in range(40)]
    answers = {p.answer for p in picked if p}
    assert answers == {"True", "False"}  # both kinds over a dataset
    for p in picked:
        assert p is not None and p.answer == ("True" if p.question.endswith("A causes B.") else "False")
    zh = true_false("k", ["稻瘟病由稻瘟病菌引起。"], [True], "zh")
    assert zh is not None and (zh.question, zh.answer, zh.answer_key) == ("判断正误：稻瘟病由稻瘟病菌引起。", "正确", ["true"])
    assert true_false("k", [], [], "en") is None
