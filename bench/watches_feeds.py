"""Unchanged feeds for the watches benchmark: a feed server in a process of its own (so its
work is not counted as the poller's), and the watches pointing at it.

Run as `python -m bench.watches_feeds`: serves /feed/<n> over HTTP/1.1 with keep-alive on a
free port (printed as `ready PORT`); each answers 304 to its own ETag, else a small RSS
document.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import create_engine, text

from bench.sweep_data import NOW

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
    "<item><guid>urn:{n}</guid><title>Quarterly notice {n}</title>"
    "<link>https://feeds.example/{n}</link></item></channel></rss>"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        n = self.path.rsplit("/", 1)[-1]
        etag = f'"feed-{n}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = RSS.format(n=n).encode()
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def add_watches(url: str, port: int, count: int) -> None:
    """`count` live watches on the local feed server, due at NOW, replacing any before."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM watch_entries"))
        conn.execute(text("DELETE FROM leads"))
        conn.execute(text("DELETE FROM watches"))
        conn.execute(
            text(
                "INSERT INTO watches (url, name, created_at, consecutive_failures, next_poll_at)"
                " SELECT 'http://127.0.0.1:' || :port || '/feed/' || g, 'Feed ' || g, :now, 0,"
                " :now FROM generate_series(0, :count - 1) AS g"
            ),
            {"port": port, "count": count, "now": NOW},
        )
    engine.dispose()


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
