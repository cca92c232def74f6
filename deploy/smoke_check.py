"""Check a running portal as its TLS proxy would reach it: /healthz/, a login, a signed-in page.

    python deploy/smoke_check.py http://127.0.0.1:8001 USERNAME PASSWORD [PATH]

Standard library only, so it runs on any host. Requests carry ``X-Forwarded-Proto: https`` (the
production settings redirect plain HTTP and mark cookies Secure) and cookies are kept by hand,
since a cookie jar would not send Secure cookies over the plain HTTP of the loopback.
"""

import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main(base: str, username: str, password: str, path: str = "/") -> int:
    if not base.startswith(("http://", "https://")):
        return fail(f"{base} is not an http:// or https:// address")
    opener = urllib.request.build_opener(NoRedirect)
    host = urllib.parse.urlsplit(base).netloc
    cookies: dict[str, str] = {}

    def fetch(url_path: str, data: dict | None = None):
        headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{host}", "Referer": f"https://{host}/"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + url_path, data=body, headers=headers)  # noqa: S310 - scheme checked
        started = time.monotonic()
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx alike
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        print(f"{response.status} {url_path} {1000 * (time.monotonic() - started):.0f} ms, {len(text)} bytes")
        return response.status, response.headers, text

    status, _, text = fetch("/healthz/")
    if status != 200 or text != "ok":
        return fail("/healthz/ did not answer ok")
    status, _, text = fetch("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    if status != 200 or not token:
        return fail("the login page has no form")
    status, headers, _ = fetch(
        "/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    )
    if status != 302 or "sessionid" not in cookies:
        return fail(f"the login of {username} was refused ({status})")
    status, _, text = fetch(path)
    if status != 200 or 'data-testid="current-user"' not in text:
        return fail(f"{path} did not show a page signed in as {username} ({status})")
    print(f"ok: signed in as {username}")
    return 0


def fail(message: str) -> int:
    print(f"smoke check failed: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
