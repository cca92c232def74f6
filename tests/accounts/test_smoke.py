def test_health_officer_sees_their_home_page_in_chinese(client_as):
    response = client_as("health").get("/")
    assert response.status_code == 200
    assert "市卫生健康局" in response.content.decode()
