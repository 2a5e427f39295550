"""Vietnamese first: the browser's Accept-Language never switches the UI to English."""

from django.conf import settings


def test_english_browser_still_gets_vietnamese(client, db):
    response = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_the_language_switch_cookie_chooses_english(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/tai-khoan/dang-nhap/")

    assert response["Content-Language"] == "en"


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert client.get("/tai-khoan/dang-nhap/")["Content-Language"] == "vi"
