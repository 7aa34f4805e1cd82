"""CSV and JSON writers for exports: RFC 4180, UTF-8 (optional byte-order mark for Excel), streamed.

Cells that a spreadsheet would run as a formula are neutralised (OWASP's CSV injection advice): a
value starting with =, +, -, @, tab, carriage return, line feed or NUL gets a leading single quote.
The csv module doubles quotes and quotes cells with separators or line breaks.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet will show it, never run it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_chunks(header: list[str], rows: Iterable[list[str]], bom: bool = False) -> Iterator[str]:
    """The CSV text in chunks, with one header row and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    yield (BOM if bom else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        # NUL can't be written by the csv module; it is replaced after neutralising.
        writer.writerow([neutralise(cell).replace("\0", "\ufffd") for cell in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """A JSON array of objects keyed by ``header``, in chunks."""
    yield "["
    for count, row in enumerate(rows):
        yield ("," if count else "") + json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False)
    yield "]"
