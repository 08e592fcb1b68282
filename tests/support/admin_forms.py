"""Driving the Django admin as an operator's browser does: a signed-in superuser or a staff user
holding chosen permissions, and a change form's current values read back from its HTML and
posted again with some of them changed."""

from __future__ import annotations

from html.parser import HTMLParser

from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import UserFactory


def staff_user_client(*codenames: str) -> tuple:
    """A staff user (not superuser) holding exactly these permissions ("app.codename"), and
    a client signed in as them."""
    user = UserFactory(is_staff=True)
    for dotted in codenames:
        app, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return user, client


def staff_client(*codenames: str) -> Client:
    """A client signed in as a staff user holding exactly these permissions."""
    return staff_user_client(*codenames)[1]


def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False
        self.options: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "file", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select = name
            self.options[name] = 0
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            self.options[self._select] += 1
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if self._textarea:
            self.data[self._textarea][0] += data


def change_form(client: Client, url: str) -> _FormParser:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    parser = _FormParser()
    parser.feed(page.content.decode())
    return parser


def post_change_form(client: Client, url: str, **overrides: str):  # noqa: ANN201
    """GET the change form, change some fields, POST it back ("Save")."""
    data = change_form(client, url).data
    for key, value in overrides.items():
        data[key] = [value]
    data.pop("_saveasnew", None)
    data.pop("_continue", None)
    data.pop("_addanother", None)
    return client.post(url, data)
