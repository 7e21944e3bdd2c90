"""schemathesis hooks for 调解通 (loaded by .ci/schemathesis.sh through SCHEMATHESIS_HOOKS).

`refusals_are_about_the_data` replaces schemathesis's own `positive_data_acceptance`. That check
wants every request the schema allows to succeed, but a 422 is also the answer to a request that
is well-formed and not possible with the data as it is (DESIGN §6: "a transition not allowed from
the current status"): a mediator id that does not exist, a time before the case was received, a
pair that has already graduated. No schema can say those. What a schema can say it must say: a
schema-valid request refused for its shape (a field missing, of the wrong type, not one of the
names, too long, out of range, not a date, holding control characters) is a failure, exactly as
schemathesis's check would report it.

The shape refusals are recognised by their English messages (requests carry `Accept-Language: en`),
read from the locale files, so that the list stays the list of the server's generic field checks.
"""

import pathlib
import re

import schemathesis

# The messages of the generic checks of `src/web/extract.rs` (`Checker`, `ApiJson`) and of paging.
SHAPE_KEYS = [
    "err-required",
    "err-reason-required",
    "err-wrong-type",
    "err-unknown-choice",
    "err-unknown-action",
    "err-length-max",
    "err-range",
    "err-date",
    "err-datetime",
    "err-whole-number",
    "err-yes-no",
    "err-control-character",
    "err-page-range",
    "err-per-page-range",
]

LOCALES = pathlib.Path(__file__).resolve().parent.parent / "locales" / "en"


def _shape_messages():
    messages = {}
    for ftl in LOCALES.glob("*.ftl"):
        for line in ftl.read_text(encoding="utf-8").splitlines():
            key, sep, text = line.partition(" = ")
            if sep and key.strip() in SHAPE_KEYS:
                parts = re.split(r"\{[^}]*\}", text.strip())
                messages[key.strip()] = re.compile(
                    "^" + ".+?".join(re.escape(p) for p in parts) + "$"
                )
    missing = set(SHAPE_KEYS) - set(messages)
    if missing:
        raise RuntimeError(f"messages not found in {LOCALES}: {sorted(missing)}")
    return messages


SHAPE_MESSAGES = _shape_messages()


def _shape_refusals(response):
    """The fields a 422 refuses for their shape, as `field: key`."""
    try:
        error = response.json()["error"]
    except Exception:
        return ["(a 422 without the error shape)"]
    found = []
    for field, message in (error.get("fields") or {}).items():
        for key, pattern in SHAPE_MESSAGES.items():
            if pattern.match(message):
                found.append(f"{field}: {key}")
    return found


@schemathesis.check
def refusals_are_about_the_data(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    # A stateful step that fills a path from a field that was null (`/mediators/None`) sends
    # what no schema allows; its refusal (400) says nothing about the contract.
    if any(value is None for value in (case.path_parameters or {}).values()):
        return None
    status = response.status_code
    if 200 <= status < 400 or status in (401, 403, 404, 409, 429, 503):
        return None
    if status == 422:
        shape = _shape_refusals(response)
        if not shape:
            return None
        raise AssertionError(
            "A request the schema allows was refused for its shape: "
            + ", ".join(shape)
            + ". Declare the rule in the schema (src/web/api/contract.rs) or accept the value."
        )
    raise AssertionError(f"A request the schema allows was answered {status}.")
