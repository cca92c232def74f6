def test_health_officer_sees_their_home_page_in_chinese(client_as):
    response = client_as("health").get("/")
    assert response.status_code == 200
    assert "市卫生健康局" in response.content.decode()


def test_pages_are_chinese_even_for_an_english_browser_until_the_user_switches(client_as):
    client = client_as("health")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "我的待办" in page and 'lang="zh-CN"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "My work queue" in page and 'lang="en"' in page


def test_api_clients_may_ask_for_a_language(client_as):
    client = client_as(None)
    assert client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"].isascii()
    assert not client.get("/api/v1/me/").json()["error"]["message"].isascii()
