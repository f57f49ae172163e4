"""Seed the built-in statutory questions (a frozen copy of citizenfocus.questions)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

STATUTORY: dict[str, dict[str, Any]] = {
    "overall_satisfaction": {
        "survey": "victim",
        "text": "Taking the whole experience into account, how satisfied are you with the service provided by the police in this case?",
        "scale": [
            "Completely satisfied",
            "Very satisfied",
            "Fairly satisfied",
            "Neither satisfied nor dissatisfied",
            "Fairly dissatisfied",
            "Very dissatisfied",
            "Completely dissatisfied"
        ],
        "positive": [
            1,
            2,
            3
        ]
    },
    "ease_of_contact": {
        "survey": "victim",
        "text": "How satisfied were you with how easy it was to contact someone who could assist you?",
        "scale": [
            "Completely satisfied",
            "Very satisfied",
            "Fairly satisfied",
            "Neither satisfied nor dissatisfied",
            "Fairly dissatisfied",
            "Very dissatisfied",
            "Completely dissatisfied"
        ],
        "positive": [
            1,
            2,
            3
        ]
    },
    "actions_taken": {
        "survey": "victim",
        "text": "How satisfied are you with the actions taken by the police?",
        "scale": [
            "Completely satisfied",
            "Very satisfied",
            "Fairly satisfied",
            "Neither satisfied nor dissatisfied",
            "Fairly dissatisfied",
            "Very dissatisfied",
            "Completely dissatisfied"
        ],
        "positive": [
            1,
            2,
            3
        ]
    },
    "kept_informed": {
        "survey": "victim",
        "text": "How satisfied are you with how well you were kept informed of progress?",
        "scale": [
            "Completely satisfied",
            "Very satisfied",
            "Fairly satisfied",
            "Neither satisfied nor dissatisfied",
            "Fairly dissatisfied",
            "Very dissatisfied",
            "Completely dissatisfied"
        ],
        "positive": [
            1,
            2,
            3
        ]
    },
    "treatment": {
        "survey": "victim",
        "text": "How satisfied are you with the way you were treated by the officers and staff who dealt with you?",
        "scale": [
            "Completely satisfied",
            "Very satisfied",
            "Fairly satisfied",
            "Neither satisfied nor dissatisfied",
            "Fairly dissatisfied",
            "Very dissatisfied",
            "Completely dissatisfied"
        ],
        "positive": [
            1,
            2,
            3
        ]
    },
    "good_job": {
        "survey": "perception",
        "text": "Taking everything into account, how good a job do you think the police in this area are doing?",
        "scale": [
            "Excellent",
            "Good",
            "Fair",
            "Poor",
            "Very poor"
        ],
        "positive": [
            1,
            2
        ]
    },
    "things_that_matter": {
        "survey": "perception",
        "text": "The police are dealing with the things that matter to people in this community.",
        "scale": [
            "Strongly agree",
            "Tend to agree",
            "Neither agree nor disagree",
            "Tend to disagree",
            "Strongly disagree"
        ],
        "positive": [
            1,
            2
        ]
    },
    "asb_perception": {
        "survey": "perception",
        "text": "Overall, how much of a problem is anti-social behaviour in your local area?",
        "scale": [
            "A very big problem",
            "A fairly big problem",
            "Not a very big problem",
            "Not a problem at all"
        ],
        "positive": [
            1,
            2
        ]
    }
}


def seed(apps: Any, schema_editor: Any) -> None:
    question = apps.get_model("citizenfocus", "Question")
    for code, spec in STATUTORY.items():
        question.objects.update_or_create(
            code=code,
            defaults={
                "survey": spec["survey"],
                "text": spec["text"],
                "scale": spec["scale"],
                "positive": spec["positive"],
                "statutory": True,
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("citizenfocus", "Question").objects.filter(statutory=True).delete()


class Migration(migrations.Migration):
    dependencies = [("citizenfocus", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
