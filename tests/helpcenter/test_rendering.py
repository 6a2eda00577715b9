"""Article bodies render as safe HTML, with the numbers of the policy in force."""

from __future__ import annotations

import logging

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_current, policy_publish
from marketdesk.helpcenter.placeholders import plural_form, policy_fill
from marketdesk.helpcenter.rendering import article_html, markdown_to_html


def test_raw_html_and_scripts_are_shown_as_text_never_run():
    html = markdown_to_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<iframe src=x></iframe>")

    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_lose_their_address():
    html = markdown_to_html("[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)")

    assert 'href="javascript' not in html
    assert 'href="data' not in html


def test_links_are_kept_with_noopener_nofollow():
    html = markdown_to_html('[Help](https://example.test/help "Title")')

    assert html == '<p><a href="https://example.test/help" title="Title" rel="noopener nofollow">Help</a></p>\n'


def test_markdown_structure_survives_sanitizing():
    html = markdown_to_html("## Steps\n\n1. **One**\n2. *Two*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> note")

    for tag in ("<h2>", "<ol>", "<strong>", "<em>", "<table>", "<td>", "<blockquote>"):
        assert tag in html


@pytest.mark.django_db
def test_both_placeholder_spellings_take_the_current_policy_number():
    text = policy_fill("{{ policy.return_window_days }} / {policy:return_window_days}", policy_current())

    assert text == "30 / 30"


@pytest.mark.django_db
def test_placeholders_follow_a_newly_published_policy():
    policy_publish(actor=Actor.system(), changes={"return_window_days": 45})

    html = article_html("Return within {policy:return_window_days|days}.", policy_current())

    assert html == "<p>Return within 45&nbsp;days.</p>\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "language", "expected"),
    [
        ("business_days", "en", "3\u00a0business days"),
        ("business_days", "ru", "3\u00a0рабочих дня"),
        ("hours", "ru", "48\u00a0часов"),
        ("days", "ru", "30\u00a0дней"),
    ],
)
def test_units_take_the_plural_of_the_article_language(unit, language, expected):
    name = {
        "business_days": "seller_response_business_days",
        "hours": "seller_silence_hours",
        "days": "inr_window_days",
    }

    assert policy_fill(f"{{policy:{name[unit]}|{unit}}}", policy_current(), language) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "день"), (2, "дня"), (5, "дней"), (11, "дней"), (21, "день"), (22, "дня"), (112, "дней")],
)
def test_russian_plural_has_three_forms(number, expected):
    assert plural_form(number, ("день", "дня", "дней")) == expected


@pytest.mark.django_db
def test_an_unknown_placeholder_stays_visible_and_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="marketdesk.helpcenter"):
        text = policy_fill(
            "Wait {policy:no_such_rule} days, {{ policy.return_window_days|fortnights }}.", policy_current()
        )

    assert text == "Wait {policy:no_such_rule} days, {{ policy.return_window_days|fortnights }}."
    assert "no_such_rule" in caplog.text
    assert "fortnights" in caplog.text


@pytest.mark.django_db
def test_a_placeholder_in_a_table_cell_may_escape_its_bar():
    html = article_html("| a |\n|---|\n| {policy:snad_window_days\\|days} |", policy_current())

    assert "<td>30&nbsp;days</td>" in html
