"""Checks the bundled spec written by `cargo xtask bundle` with tools that share no code
with the xtask: openapi-spec-validator validates it as an OpenAPI 3.0 document, and its
operations are counted against the `operationId:` lines of the spec's own files.

Usage: python check-bundle.py BUNDLE.json SPEC_FILE...
"""

import json
import re
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def main() -> int:
    bundle, sources = sys.argv[1], sys.argv[2:]
    spec, _ = read_from_filename(bundle)
    validate(spec)
    with open(bundle, encoding="utf-8") as f:
        document = json.load(f)
    operations = sorted(
        op["operationId"]
        for item in document.get("paths", {}).values()
        for method, op in item.items()
        if method in METHODS
    )
    written = 0
    for source in sources:
        with open(source, encoding="utf-8") as f:
            written += sum(1 for line in f if re.match(r"^\s+operationId:", line))
    print(f"{bundle}: valid OpenAPI 3.0, {len(operations)} operations")
    if len(operations) != written or len(set(operations)) != len(operations):
        print(
            f"the bundle holds {len(operations)} operations ({len(set(operations))} distinct ids);"
            f" the spec files write {written} operationIds",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
