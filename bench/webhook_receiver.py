"""A fast webhook receiver for the benchmark: asyncio, HTTP/1.1 keep-alive, answers 200.

Run as its own process (`python -m bench.webhook_receiver PORT`), so it does not share the
sender's interpreter. It reads each request's head and body and answers `200 ok`; `GET /count`
answers how many POSTs it has received, and `DELETE /count` sets that back to zero. Nothing is
verified here: the tests verify signatures; this measures the sender.
"""

from __future__ import annotations

import asyncio
import sys

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class Counter:
    posts = 0


class Receiver(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self._answer(head.split(b" ", 2))

    def _answer(self, request_line: list[bytes]) -> None:
        method = request_line[0]
        if method == b"POST":
            Counter.posts += 1
            self.transport.write(OK)  # type: ignore[attr-defined]
            return
        if method == b"DELETE":
            Counter.posts = 0
        body = str(Counter.posts).encode()
        self.transport.write(  # type: ignore[attr-defined]
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", port, backlog=128)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
