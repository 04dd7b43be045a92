"""Every page and download, asked for with hostile ids and keys in its address and hostile
query arguments, by a person allowed to open it. Never a 5xx; a refusal says why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests import hostile
from workshop.models import Account

# Arguments some page reads, or a script or a person might add to any address.
COMMON_ARGUMENTS = ["cycle", "side", "next", "code", "lang", "page", "q"]


def _get_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule in hostile.app_rules():
        if "GET" in (rule.methods or ()):
            rules.setdefault(rule.endpoint, rule)  # one address per endpoint is enough
    return rules


GETS = _get_rules()


@pytest.mark.parametrize("endpoint", sorted(GETS))
def test_no_address_breaks_the_app(
    app: Flask, client: FlaskClient, login: Callable[[Account], FlaskClient], endpoint: str
) -> None:
    rule = GETS[endpoint]
    table = hostile.set_table()
    actor = hostile.actor_for(table, endpoint)
    if actor is not None:
        login(actor)
    with hostile.recording_reads(app) as read:
        client.get(hostile.valid_url(table, rule), headers=hostile.EN).close()
    names = sorted(read | set(COMMON_ARGUMENTS))

    @given(data=st.data())
    def open_anything(data: st.DataObject) -> None:
        hostile.fresh_browser(client, signed_in=actor is not None)
        url = data.draw(hostile.urls(table, rule, odds=3), label="url")
        query = data.draw(hostile.form_fields(names, hostile.url_text), label="query")
        if query:
            url += "?" + "&".join(f"{hostile.encode(k)}={hostile.encode(v)}" for k, v in query)
        response = client.get(url, headers=hostile.EN)
        response.close()  # a static file's handle, too
        status = response.status_code
        assert status < 500, (status, response.get_data(as_text=True)[:500])
        if status >= 400:
            assert hostile.readable_refusal(response), (status, response.get_data(as_text=True))

    open_anything()
