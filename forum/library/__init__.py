"""The resource library: files and links by theme, where they came from and where they are
used."""

from flask import Blueprint

bp = Blueprint("library", __name__)

from forum.library import files, views  # noqa: E402,F401
