"""Links function: the HTML pages that links in mail open when no front-end URL is configured
(`GET /links/reset`, `GET /links/verify`). A plain Lambda handler: no table, no framework."""

from typing import Any

from gatehouse.observability import instrument
from gatehouse.surfaces import link_pages


def render_page(event: dict[str, Any], context: Any) -> dict[str, Any]:
    page = str(event.get("resource") or event.get("path") or "").rstrip("/").rsplit("/", 1)[-1]
    if page not in link_pages.PAGES or event.get("httpMethod") not in ("GET", "HEAD"):
        return {"statusCode": 404, "headers": link_pages.HEADERS, "body": ""}
    query = {name: str(value) for name, value in (event.get("queryStringParameters") or {}).items()}
    status, html = link_pages.render(page, query)
    return {"statusCode": status, "headers": link_pages.HEADERS, "body": html}


handler = instrument(render_page, "links")
