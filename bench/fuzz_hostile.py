"""The hostile part of `scripts/fuzz`: what an adversarial review sent, in every place it fits.

After schemathesis has run, this sends every operation of the OpenAPI document, on the real
server, the inputs that once broke pages for good:
- text that cannot be stored (lone surrogates, U+FFFE / U+FFFF, NUL) in every text field of
  every body, and in every text query parameter;
- instants at both ends of the calendar in every date field, bound and cursor;
- ids past 32 and 64 bits in every path and id parameter;
- JSON nested deeper than any parser allows.
No answer may be a 5xx. Then `check_everything_still_works` reads every page of the reviewer
app, every claim's page, every API list page, the Atom feed (parsed as XML) and a JSON Lines
export (parsed line by line): a broken claim shows up there.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx

HOSTILE_TEXT = ["\ud800", "x\udfffy", "a\ufffeb", "\uffff", "nul\x00byte", "\u2028</script>"]
EXTREME_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T01:00:00+05:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:00:00-05:00",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
]
HUGE_IDS = ["0", "2147483648", "9223372036854775808", "18446744073709551616", "9" * 40]
DATE_FIELDS = {"window_start", "window_end", "claimed_on", "known_at", "published_on"}
DEEP_JSON = ("[" * 100_000 + "]" * 100_000).encode()


@dataclass
class Tally:
    """Requests sent and the ones answered with a 5xx (method, path, status)."""

    sent: int = 0
    server_errors: list[tuple[str, str, int]] = field(default_factory=list)

    def check(self, response: httpx.Response) -> httpx.Response:
        self.sent += 1
        if response.status_code >= 500:
            request = response.request
            self.server_errors.append(
                (request.method, str(request.url)[:200], response.status_code)
            )
        return response


def _raw(value: Any) -> bytes:
    """JSON as an attacker may write it: a lone surrogate as a \\u escape (UTF-8 cannot
    carry it)."""
    return json.dumps(value, ensure_ascii=True).encode()


def _query_text(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _schema(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    name = ref["$ref"].rsplit("/", 1)[-1]
    return document["components"]["schemas"][name]


def _is_text(prop: dict[str, Any]) -> bool:
    kinds = [prop.get("type")] + [p.get("type") for p in prop.get("anyOf", [])]
    return "string" in kinds


def _forged_cursor(sort: str, instant: str, row_id: int) -> str:
    raw = json.dumps([sort, instant, row_id, 0]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Battery:
    """The hostile requests, for a server at `base` with a write token and seeded ids."""

    base: str
    token: str
    ids: dict[str, int]  # a real id for every path parameter of the document
    bodies: dict[str, Callable[[], dict[str, Any]]]  # a valid body per operationId
    feed_key: str
    tally: Tally = field(default_factory=Tally)

    def run(self) -> Tally:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=60) as client:
            document = client.get("/api/v1/openapi.json").json()
            for path, item in document["paths"].items():
                for method, operation in item.items():
                    for request in self._requests(document, path, method.upper(), operation):
                        self.tally.check(client.request(**request))
        return self.tally

    def _requests(
        self, document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        names = re.findall(r"{(\w+)}", path)
        real = {name: str(self.ids[name]) for name in names}
        url = path.format(**real)
        for name in names:
            for huge in HUGE_IDS:
                yield {"method": method, "url": path.format(**{**real, name: huge})}
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                yield from self._query_cases(method, url, parameter["name"])
        body_ref = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body_ref is None:
            return
        base_body = self.bodies[operation["operationId"]]
        schema = _schema(document, body_ref["schema"])
        if_match = {"If-Match": f'"{self.ids["claim_id"]}-v1"'} if method == "PATCH" else {}
        json_headers = {"Content-Type": "application/json", **if_match}
        for name, prop in schema.get("properties", {}).items():
            values = EXTREME_INSTANTS if name in DATE_FIELDS else []
            values = values + (HOSTILE_TEXT if _is_text(prop) else [])
            for value in values:
                body = {**base_body(), name: value}
                yield {"method": method, "url": url, "content": _raw(body), "headers": json_headers}
        yield {"method": method, "url": url, "content": DEEP_JSON, "headers": json_headers}

    def _query_cases(self, method: str, url: str, name: str) -> Iterator[dict[str, Any]]:
        values: list[str]
        if name in {"window_end_before", "window_end_after"}:
            values = [quote(v) for v in EXTREME_INSTANTS]
        elif name == "cursor":
            values = [
                _forged_cursor(sort, instant, row_id)
                for sort in ("window_end", "-created_at")
                for instant in EXTREME_INSTANTS
                for row_id in (1, 2**31, 2**63)
            ]
        elif name in {"source", "assignee", "limit"}:
            values = HUGE_IDS
        elif name == "key":
            values = [_query_text(v) for v in HOSTILE_TEXT] + [_query_text(self.feed_key + "\x00")]
        else:
            values = [_query_text(v) for v in HOSTILE_TEXT]
        for value in values:
            yield {"method": method, "url": f"{url}?{name}={value}"}


# --- afterwards: everything still works -------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PAGES = [
    "/claims",
    "/claims?status=overdue",
    "/dashboard",
    "/sources",
    "/leads",
    "/watches",
    "/settings",
    "/api/docs",
]
# API lists read with the fuzzer's (admin) token after the fuzz, besides every claims page.
API_LISTS = ["/api/v1/leads", "/api/v1/watches", "/api/v1/webhooks", "/api/v1/sources"]


def carry_cookies(client: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Keep the cookies a response sets, Secure ones included: in production they are all
    Secure, and this checker talks plain http to a server on loopback."""
    jar: dict[str, str] = client.__dict__.setdefault("carried_cookies", {})
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    client.cookies.clear()  # httpx's own jar would send the Secure ones twice, or not at all
    if jar:
        client.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
    return response


def sign_in(client: httpx.Client, email: str, password: str) -> None:
    page = carry_cookies(client, client.get("/sign-in"))
    token = CSRF.search(page.text)
    assert token is not None, "no CSRF token on the sign-in page"
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    answer = carry_cookies(client, client.post("/sign-in", data=form))
    if answer.status_code != 302:
        raise RuntimeError(f"signing in to check the pages failed: {answer.status_code}")


def check_everything_still_works(
    base: str, token: str, email: str, password: str, feed_key: str, claim_ids: list[int]
) -> list[str]:
    """Every page, every claim's page, the API's pages and the feed: what failed, if any."""
    problems: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as browser:
        sign_in(browser, email, password)
        for path in PAGES + [f"/claims/{claim_id}" for claim_id in claim_ids]:
            status = carry_cookies(browser, browser.get(path)).status_code
            if status != 200:
                problems.append(f"GET {path}: {status}")
    api = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=api, timeout=60) as client:
        url: str | None = "/api/v1/claims?limit=200"
        while url:
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"GET {url}: {response.status_code}")
                break
            page = response.json()
            url = f"/api/v1/claims?limit=200&cursor={page['next']}" if page["next"] else None
        for path in API_LISTS:
            status = client.get(path).status_code
            if status != 200:
                problems.append(f"GET {path}: {status}")
        feed = client.get(f"/feeds/overdue.atom?key={feed_key}")
        if feed.status_code != 200:
            problems.append(f"feed: {feed.status_code}")
        else:
            try:
                ElementTree.fromstring(feed.content)  # noqa: S314 (our own server's feed)
            except ElementTree.ParseError as exc:
                problems.append(f"feed is not XML: {exc}")
    return problems


def check_export(path: str) -> list[str]:
    """A JSON Lines export: every line is JSON."""
    problems = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                json.loads(line)
            except ValueError as exc:
                problems.append(f"export line {number}: {exc}")
    return problems
