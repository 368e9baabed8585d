"""An upload handler that stops a request's files at the import size limit.

Django's own handlers keep the whole upload (in memory, or in a temporary file past
FILE_UPLOAD_MAX_MEMORY_SIZE) before the view can look at its size: a 1 GB upload reached the
disk. Placed first, this handler counts the bytes as they arrive and stops the upload at the
limit, so the handlers after it never receive more than the limit. The rest of the request
is read and dropped (not a connection reset), so that the editor gets a page that says why.
"""

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.passed = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        # A request declared far larger than a file at the limit (the other fields are a few
        # hundred bytes) is refused at its first file byte, whatever its file says.
        if content_length and content_length > self.limit + 64 * 1024:
            self.passed = True
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.passed or self.received > self.limit:
            self.passed = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
