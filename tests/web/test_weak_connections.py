"""Commune officers on mountain connections: every page and asset travels compressed, and the inbox's
first visit (the page and everything it makes a browser fetch) stays under 30 KB on the wire."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from tests.web.conftest import Browser
from tests.web.demo_app import open_case_at_registration
from web.assets import version
from workflows.inbox import PER_PAGE

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends
FIRST_VISIT_BUDGET = 30 * 1024
REFERENCES = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"')
CSS_URLS = re.compile(r"url\(['\"]?([^'\")]+)['\"]?\)")


def first_visit(person: Browser, path: str, encodings: str = BROWSER_ENCODINGS) -> dict[str, tuple[int, str]]:
    """Every response a browser with an empty cache fetches for ``path``: url → (bytes on the wire,
    content encoding)."""
    fetched: dict[str, tuple[int, str]] = {}
    queue = [path]
    while queue:
        url = queue.pop(0)
        if url in fetched or url.startswith(("data:", "http:", "https:")):
            continue
        response = person.get(url, headers={"Accept-Encoding": encodings})
        assert response.status_code == 200, url
        body = response.get_data()
        fetched[url] = (len(body), response.headers.get("Content-Encoding", ""))
        text = response.get_data(as_text=True) if not fetched[url][1] else _plain(person, url)
        if response.mimetype == "text/html":
            queue += [urljoin(url, ref) for ref in REFERENCES.findall(text)]
        elif response.mimetype == "text/css":
            queue += [urljoin(url, ref) for ref in CSS_URLS.findall(text)]
    return fetched


def _plain(person: Browser, url: str) -> str:
    return person.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)


def test_the_inbox_first_visit_is_compressed_and_under_30_kb(app):
    for n in range(PER_PAGE + 1):  # a full first page, and a next one
        open_case_at_registration(app, f"BN-{n:04}", f"Y Thị Hoa {n}")
    person = Browser(app, "an")
    fetched = first_visit(person, "/")
    paths = {url.partition("?")[0] for url in fetched}  # files are linked with their version (?v=…)
    assert "/static/app.css" in paths and "/assets/htmx.min.js" in paths and "/" in paths
    assert person.get("/").get_data(as_text=True).count("Y Thị Hoa") == PER_PAGE
    for url, (size, encoding) in fetched.items():
        assert encoding or size < 500, f"{url} travels uncompressed ({size} bytes)"
    total = sum(size for size, _encoding in fetched.values())
    print(f"inbox first visit: {total} bytes on the wire in {len(fetched)} responses: {fetched}")
    assert total <= FIRST_VISIT_BUDGET, fetched


def test_gzip_alone_is_enough_and_nothing_compressed_unasked(app, case_at_registration):
    person = Browser(app, "an")
    gzip_only = first_visit(person, "/", encodings="gzip")
    assert sum(size for size, _encoding in gzip_only.values()) <= FIRST_VISIT_BUDGET, gzip_only
    plain = person.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "Việc cần làm" in plain.get_data(as_text=True)


def test_a_page_links_its_files_by_content_so_a_browser_keeps_them_for_a_year(app, tmp_path):
    """No request per file at every page load: the URL names the file's content, the answer may be kept.
    An out-of-date URL (a file changed since) is answered, but not for keeping."""
    person = Browser(app, "an")
    links = REFERENCES.findall(person.get("/").get_data(as_text=True))
    files = [link for link in links if link.startswith(("/static/", "/assets/"))]
    assert any(link.startswith("/static/app.css?v=") for link in files)
    assert any(link.startswith("/assets/htmx.min.js?v=") for link in files)
    for link in files:
        response = person.get(link)
        response.close()
        caching = response.headers["Cache-Control"]
        assert response.status_code == 200 and "max-age=31536000" in caching and "immutable" in caching, link
    stale = person.get("/static/app.css?v=0000000000")
    stale.close()
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")
    changing = tmp_path / "app.css"
    changing.write_text("body { color: black }")
    before = version(changing)
    changing.write_text("body { color: navy }")
    assert version(changing) != before
