"""WTForms' own messages reach the reader in their language, in every form of the forum."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

import forum
from forum import create_app
from forum.forms import Form


class Sample(Form):
    title = StringField("Titel", validators=[DataRequired(), Length(max=3)])
    when = DateField("Dato")
    count = IntegerField("Antal")
    kind = SelectField("Slags", choices=[SelectChoice("a", "A")])


@pytest.fixture(scope="module")
def app():
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}
    )


def errors(app, language: str, data: dict[str, str]) -> dict[str, list[str]]:
    with app.test_request_context(method="POST", headers={"Accept-Language": language}):
        form = Sample(formdata=MultiDict(data))
        form.validate()
        return form.errors


def test_wtforms_messages_are_danish(app) -> None:
    assert errors(app, "da", {"when": "x", "count": "y", "kind": "z"}) == {
        "title": ["Feltet skal udfyldes."],
        "when": ["Ikke en gyldig dato."],
        "count": ["Ikke et gyldigt heltal."],
        "kind": ["Vælg en af mulighederne."],
    }
    assert errors(app, "da", {"title": "abcd"})["title"] == ["Feltet må højst være 3 tegn langt."]


def test_wtforms_messages_stay_english_for_english_readers(app) -> None:
    assert errors(app, "en", {})["title"] == ["This field is required."]
    assert errors(app, "en", {"title": "abcd"})["title"] == [
        "Field cannot be longer than 3 characters."
    ]


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


def test_every_form_of_the_forum_derives_from_the_translated_base() -> None:
    for module in pkgutil.walk_packages(forum.__path__, "forum."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    ours = {c for c in all_subclasses(FlaskForm) if c.__module__.startswith("forum.")}
    assert len(ours) > 20
    untranslated = sorted(c.__qualname__ for c in ours if not issubclass(c, Form))
    assert untranslated == [], "derive these from forum.forms.Form, not FlaskForm"
