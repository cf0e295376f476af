# Partial stub for Flask-Babel 4 (see typings/README.md).
from collections.abc import Callable
from typing import Any

# At run time LazyString is not a str subclass, but it forwards every str method (through
# __getattr__ and the dunder methods below) and WTForms, Jinja and Markup accept it wherever
# they accept a str. Declaring it a str lets lazily translated labels and messages flow into
# parameters typed `str` (WTForms's stubs type every label and message so). The one thing
# this hides: isinstance(value, str) is False for a LazyString.
class LazyString(str):
    def __init__(self, func: Callable[..., str], *args: Any, **kwargs: Any) -> None: ...
    def __getattr__(self, attr: str) -> Any: ...
    def __html__(self) -> str: ...
