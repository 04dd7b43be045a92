"""Every endpoint that takes a POST, fed whatever Hypothesis can think of, by a person allowed
to use it: forms, multipart uploads and JSON, hostile text and numbers in every field the view
reads. Never a 5xx; a refusal says why and stores nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests import hostile
from workshop.models import Account


def _post_rules() -> dict[str, Rule]:
    return {
        rule.endpoint: rule
        for rule in hostile.app_rules()
        if "POST" in (rule.methods or ())
        # Signing out ends the session every other example would run in; it reads no field.
        and rule.endpoint != "auth.logout"
    }


POSTS = _post_rules()
# Rate limits count refusals, and the audit trail records them (R9): that is what they are for
# (tests/test_audit_log.py checks what the trail says).
NEVER_COMPARED = frozenset({"throttle", "audit_event"})
# What a refusal may still change, and why.
MAY_CHANGE = {
    # A failed sign-in is audited: that record is the point of refusing it.
    **{e: frozenset({"audit_event"}) for e in POSTS if e.startswith("auth.")},
    # A section saves each question it can; the ones refused come back with their messages.
    "stage.save_section": frozenset({"answer", "answer_revision"}),
}


def _fields_read(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], rule: Rule
) -> list[str]:
    """The names the view asks for, learnt by posting an empty and a filled form to it, at a
    table of its own (what the probe stores must not change the table the examples use)."""
    probe = hostile.set_table()
    actor = hostile.actor_for(probe, rule.endpoint)
    if actor is not None:
        login(actor)
    url = hostile.valid_url(probe, rule)
    with hostile.recording_reads(app) as read:
        hostile.send_form(client, url, [])
        hostile.send_form(client, url, [(name, "1") for name in sorted(read)])
    return sorted(read)


def _send(data: st.DataObject, client: FlaskClient, url: str, names: list[str]) -> TestResponse:
    how = data.draw(
        st.sampled_from(["form", "form", "form", "multipart", "json"]), label="encoding"
    )
    if how == "form":
        return hostile.send_form(client, url, data.draw(hostile.form_fields(names)))
    if how == "multipart":
        filename = data.draw(hostile.hostile_text.filter(hostile.encodable), label="filename")
        content = data.draw(st.binary(max_size=300), label="file")
        fields = data.draw(hostile.form_fields(names))
        return hostile.send_multipart(client, url, fields, filename, content)
    if data.draw(st.booleans(), label="raw JSON"):
        return hostile.send_json(client, url, data.draw(hostile.raw_json))
    keys = names if names else hostile.AUTOSAVE_FIELDS
    body = data.draw(st.dictionaries(st.sampled_from(keys), hostile.json_value, max_size=6))
    return hostile.send_json(client, url, hostile.json_text(body))


def _autosave_body(data: st.DataObject, table: hostile.Table) -> str:
    """A save as the page's script sends it, each part sometimes hostile."""
    questions = [q.key for s in table.stages for q in s.questions()]
    body = {
        "question": data.draw(st.sampled_from(questions) | hostile.json_leaf),
        "value": data.draw(hostile.json_value),
        "base_version": data.draw(st.integers(0, 3) | hostile.hostile_number | hostile.json_leaf),
        "key": data.draw(st.uuids().map(str) | hostile.json_leaf),
    }
    if data.draw(st.booleans()):
        body["cycle"] = data.draw(st.just(1) | hostile.json_leaf)
    text = hostile.json_text(body)
    if data.draw(st.sampled_from(range(10))) == 0:  # what no script writes, in place of the value
        text = text.replace('"value": ', '"value": ' + data.draw(hostile.raw_json) + ", ", 1)
    return text


@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_no_post_breaks_the_app_and_a_refused_one_changes_nothing(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], endpoint: str
) -> None:
    rule = POSTS[endpoint]
    names = _fields_read(app, client, login, rule)
    table = hostile.set_table()
    actor = hostile.actor_for(table, endpoint)
    if actor is not None:
        login(actor)
    may_change = MAY_CHANGE.get(endpoint, frozenset())
    last: list[hostile.Snapshot] = [hostile.snapshot(NEVER_COMPARED)]

    # The examples share the table, each compared before and after: whatever an example before
    # stored, a refusal must leave it as it was.
    @given(data=st.data())
    def post_anything(data: st.DataObject) -> None:
        hostile.fresh_browser(client, signed_in=actor is not None)
        url = data.draw(hostile.urls(table, rule), label="url")
        fields = names
        if endpoint == "stage.save_section":
            fields = names + hostile.section_fields(table, *url.split("/")[-2:])
        if endpoint == "answers.autosave" and data.draw(st.sampled_from(range(4))) > 0:
            response = hostile.send_json(client, url, _autosave_body(data, table))
        else:
            response = _send(data, client, url, fields)
        after = hostile.snapshot(NEVER_COMPARED)
        before, last[0] = last[0], after
        hostile.check(response, before, after, may_change=may_change)

    post_anything()
