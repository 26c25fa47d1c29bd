"""The JSON Schema of the practice-script format, for editor completion and checks."""

from __future__ import annotations

import json
from typing import Any

from circlekeeper.script.model import FORMAT_VERSION, Practice

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:circlekeeper:practice-script:v{FORMAT_VERSION}"


def schema_dict() -> dict[str, Any]:
    """The schema as a dict: the models' fields by their YAML names, with descriptions."""
    body = Practice.model_json_schema(by_alias=True)
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "circlekeeper practice script",
    }
    # The model's own title ("Practice") says less than ours; keep everything else.
    schema.update({k: v for k, v in body.items() if k != "title"})
    return schema


def schema_json() -> str:
    """The schema as pretty JSON (no final newline: `circlekeeper schema` adds one)."""
    return json.dumps(schema_dict(), indent=2, ensure_ascii=False)
