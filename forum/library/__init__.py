"""The resource library: pages and forms (views) and file downloads (files)."""

from flask import Blueprint

bp = Blueprint("library", __name__)

from forum.library import files, views  # noqa: E402,F401
