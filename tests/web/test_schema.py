"""schemathesis against the app's own OpenAPI schema: no 5xx, every response inside the schema.

Bounded: a few examples per operation keep the run well under a minute. The app runs in-process (ASGI);
the fixture gives it a store in tmp that holds an agreement and a message, so the store routes answer
more than 409.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from levelhead.storage import Store
from levelhead.web.app import create_app
from levelhead.web.security import Keys, new_launch_token
from levelhead.web.state import AppState
from tests.web.conftest import PORT

HOST = f"127.0.0.1:{PORT}"
TOKEN = new_launch_token()
HEADERS = {"Host": HOST, "Authorization": f"Bearer {TOKEN}"}
STATE = AppState()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(STATE, Keys(TOKEN), PORT), headers=HEADERS)


@pytest.fixture(scope="module", autouse=True)
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("schema")
    opened = Store.open(f"sqlite:///{folder / 'levelhead.db'}")
    opened.init()
    opened.add_agreement("window", {"days": "mon-fri", "from": "19:30", "to": "20:00"})
    opened.log_message("them", "Pickup is at 5 on Friday.")
    STATE.store = opened
    yield opened
    STATE.store = None
    opened.close()


# No 5xx and nothing outside the schema. Schema-valid but meaningless input (an unknown time zone, a
# whitespace-only draft) is answered 400 with a reason, so "positive data acceptance" is not among them.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # The passphrase route would re-key the store with random text; test_api covers it by name.
    if case.path == "/api/v1/store/passphrase":
        return
    case.call_and_validate(headers=HEADERS, checks=CHECKS)
