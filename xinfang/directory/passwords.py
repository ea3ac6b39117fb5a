"""Password policy beyond Django's validators: letters and digits or symbols together."""

from __future__ import annotations

from typing import Any


class CharacterClassesValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext

        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                gettext("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        from django.utils.translation import gettext

        return gettext("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)s 类。") % {
            "n": self.min_classes
        }
