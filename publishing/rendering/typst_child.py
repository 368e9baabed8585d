"""Compile one Typst document in a process of its own: `python -m publishing.rendering.typst_child`.

Reads a JSON request on stdin (template, font folders, inputs, PDF standards, timestamp) and
writes the PDF to stdout, or exits 2 with Typst's message and diagnostic as JSON on stderr.
Typst keeps the whole laid-out document and its caches in memory (0.9 GB for 626 pages) and
the allocator does not give that back to the system: compiled here, it is returned when this
process ends, and the worker that published stays small. Imports typst only, not Django.
"""

import datetime
import json
import sys
from typing import Any


def compile_request(request: dict[str, Any]) -> bytes:
    import typst

    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=request["font_dirs"]
    )
    return typst.compile(
        request["template"],
        font_paths=fonts,
        sys_inputs=request["inputs"],
        pdf_standards=request["pdf_standards"],
        timestamp=datetime.datetime.fromisoformat(request["timestamp"]),
    )


def main() -> None:
    import typst

    request = json.load(sys.stdin)
    try:
        pdf = compile_request(request)
    except typst.TypstError as exc:
        json.dump({"message": exc.message, "diagnostic": str(exc.diagnostic)}, sys.stderr)
        sys.exit(2)
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    main()
