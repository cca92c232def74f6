"""The load benchmark: demo accounts browsing the portal in a realistic mix (`make bench`).

Run it against `make serve-prod` with LOAD_DEMO_DATA=true and SECOND_FACTOR_DEMO_EXEMPT=true (the demo
users sign in with their password only; `seed_bench` for size); see the
README. Each kind of user signs in once as its demo account and then reads what that user reads
most: the health bureau its lists (with filters and search), details, the roster, the
certification rate, API lists and the dashboard; the leadership the dashboards; a township its
own lists and dashboard; an institution its roster and its record; the public the public
search. Requests go as the TLS proxy would send them (``X-Forwarded-Proto: https``), and the
session cookie, Secure in production, is sent over the loopback's plain HTTP. At the end a table
per page: requests, errors, requests per second and p50 / p95 / p99 in milliseconds. Writes
(filing submits, self-report saves) are left out: repeated, they would change the demo's state
under the other users' feet.
"""

import random
import re
from http.cookiejar import DefaultCookiePolicy

from locust import HttpUser, between, events, task

PASSWORD = "Yuyao@2026"
SEARCH_WORDS = ["托育", "幼儿园", "宝贝", "中心", "家庭"]
TOWNSHIPS = ["330281103", "330281001", "330281002", "330281004", "330281106"]


# Send Secure cookies over plain HTTP: the TLS proxy's part, on the loopback. Process-wide, as
# requests copies every session's cookies into a jar of the default policy for each request.
DefaultCookiePolicy.return_ok_secure = lambda policy, cookie, request: True


class PortalUser(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)  # think time between pages

    def on_start(self):
        self.client.headers.update({"X-Forwarded-Proto": "https", "Referer": f"https://{self.host_name}/"})
        if self.username:
            self.log_in()
        self.institution_ids = []

    @property
    def host_name(self) -> str:
        return self.host.split("://", 1)[-1].rstrip("/")

    def log_in(self):
        page = self.client.get("/accounts/login/", name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1) if token else "", "username": self.username, "password": PASSWORD},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} refused ({response.status_code})")

    def institution_id(self):
        """An institution this user sees, from the API list (fetched once)."""
        if not self.institution_ids:
            page = self.client.get("/api/v1/institutions/", name="/api/v1/institutions/")
            if page.ok:
                self.institution_ids = [row["id"] for row in page.json().get("results", [])]
        return random.choice(self.institution_ids) if self.institution_ids else None  # noqa: S311


class HealthBureau(PortalUser):
    username = "health"
    weight = 4

    @task(3)
    def home(self):
        self.client.get("/", name="/ (home)")

    @task(3)
    def institutions(self):
        self.client.get("/registry/institutions/", name="/registry/institutions/")

    @task(2)
    def institutions_filtered(self):
        township = random.choice(TOWNSHIPS)  # noqa: S311
        self.client.get(
            f"/registry/institutions/?township={township}&status=operating", name="/registry/institutions/?filter"
        )

    @task(2)
    def institutions_search(self):
        word = random.choice(SEARCH_WORDS)  # noqa: S311
        self.client.get(f"/registry/institutions/?text={word}", name="/registry/institutions/?text")

    @task(2)
    def institution_detail(self):
        pk = self.institution_id()
        if pk:
            self.client.get(f"/registry/institutions/{pk}/", name="/registry/institutions/<pk>/")

    @task(2)
    def staff(self):
        self.client.get("/training/staff/", name="/training/staff/")

    @task(1)
    def rates(self):
        self.client.get("/training/rates/", name="/training/rates/")

    @task(1)
    def filings(self):
        self.client.get("/registry/filings/", name="/registry/filings/")

    @task(1)
    def reviews(self):
        self.client.get("/inspections/reviews/", name="/inspections/reviews/")

    @task(2)
    def api_staff(self):
        self.client.get("/api/v1/training/staff/", name="/api/v1/training/staff/")

    @task(1)
    def api_institutions(self):
        self.client.get("/api/v1/institutions/", name="/api/v1/institutions/")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/", name="/dashboard/")


class Leadership(PortalUser):
    username = "leader"
    weight = 1

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", name="/dashboard/")

    @task(1)
    def township_dashboard(self):
        code = random.choice(TOWNSHIPS)  # noqa: S311
        self.client.get(f"/dashboard/townships/{code}/", name="/dashboard/townships/<code>/")


class Township(PortalUser):
    username = "simen"
    weight = 2

    @task(2)
    def home(self):
        self.client.get("/", name="/ (home)")

    @task(3)
    def institutions(self):
        self.client.get("/registry/institutions/", name="/registry/institutions/")

    @task(2)
    def staff(self):
        self.client.get("/training/staff/", name="/training/staff/")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/townships/330281103/", name="/dashboard/townships/<code>/")


class Institution(PortalUser):
    username = "nursery1"
    weight = 2

    @task(2)
    def home(self):
        self.client.get("/", name="/ (home)")

    @task(3)
    def roster(self):
        self.client.get("/training/staff/", name="/training/staff/")

    @task(1)
    def own_record(self):
        pk = self.institution_id()
        if pk:
            self.client.get(f"/registry/institutions/{pk}/", name="/registry/institutions/<pk>/")


class Public(PortalUser):
    weight = 2

    @task(3)
    def search(self):
        word = random.choice(SEARCH_WORDS)  # noqa: S311
        self.client.get(f"/registry/public/?text={word}", name="/registry/public/")

    @task(1)
    def healthz(self):
        self.client.get("/healthz/", name="/healthz/ (floor)")


@events.quitting.add_listener
def print_table(environment, **kwargs):
    """Per page: requests, errors, requests per second, p50 / p95 / p99 (ms)."""
    rows = sorted(environment.stats.entries.values(), key=lambda entry: entry.name)
    print(f"\n{'page':<42} {'reqs':>6} {'errors':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    for entry in [*rows, environment.stats.total]:
        print(
            f"{entry.name:<42} {entry.num_requests:>6} {entry.num_failures:>6} {entry.total_rps:>6.1f}"
            f" {entry.get_response_time_percentile(0.5):>6.0f} {entry.get_response_time_percentile(0.95):>6.0f}"
            f" {entry.get_response_time_percentile(0.99):>6.0f}"
        )
