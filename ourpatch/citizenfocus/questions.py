"""The statutory survey questions, their scales and which answers count (seed section 9).

The data migration ``0002_statutory_questions`` writes these as :class:`Question` rows; a
force may add its own questions beside them. Answers are scale positions, 1 = first label.
"""

from __future__ import annotations

from typing import TypedDict


class QuestionSpec(TypedDict):
    survey: str
    text: str
    scale: list[str]
    positive: list[int]


SATISFACTION_SCALE = [
    "Completely satisfied",
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Completely dissatisfied",
]
SATISFIED = [1, 2, 3]
DISSATISFIED = [5, 6, 7]

STATUTORY: dict[str, QuestionSpec] = {
    "overall_satisfaction": {
        "survey": "victim",
        "text": "Taking the whole experience into account, how satisfied are you with the "
        "service provided by the police in this case?",
        "scale": SATISFACTION_SCALE,
        "positive": SATISFIED,
    },
    "ease_of_contact": {
        "survey": "victim",
        "text": "How satisfied were you with how easy it was to contact someone who could "
        "assist you?",
        "scale": SATISFACTION_SCALE,
        "positive": SATISFIED,
    },
    "actions_taken": {
        "survey": "victim",
        "text": "How satisfied are you with the actions taken by the police?",
        "scale": SATISFACTION_SCALE,
        "positive": SATISFIED,
    },
    "kept_informed": {
        "survey": "victim",
        "text": "How satisfied are you with how well you were kept informed of progress?",
        "scale": SATISFACTION_SCALE,
        "positive": SATISFIED,
    },
    "treatment": {
        "survey": "victim",
        "text": "How satisfied are you with the way you were treated by the officers and "
        "staff who dealt with you?",
        "scale": SATISFACTION_SCALE,
        "positive": SATISFIED,
    },
    "good_job": {
        "survey": "perception",
        "text": "Taking everything into account, how good a job do you think the police in "
        "this area are doing?",
        "scale": ["Excellent", "Good", "Fair", "Poor", "Very poor"],
        "positive": [1, 2],
    },
    "things_that_matter": {
        "survey": "perception",
        "text": "The police are dealing with the things that matter to people in this community.",
        "scale": [
            "Strongly agree",
            "Tend to agree",
            "Neither agree nor disagree",
            "Tend to disagree",
            "Strongly disagree",
        ],
        "positive": [1, 2],
    },
    "asb_perception": {
        "survey": "perception",
        "text": "Overall, how much of a problem is anti-social behaviour in your local area?",
        "scale": [
            "A very big problem",
            "A fairly big problem",
            "Not a very big problem",
            "Not a problem at all",
        ],
        "positive": [1, 2],
    },
}
