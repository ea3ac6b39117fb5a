"""One error type for refusals that users see: a stable code, a message, optional field errors."""

from __future__ import annotations

from django.utils.translation import gettext


class ApplicationError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.status = status

    def as_dict(self) -> dict:
        out: dict = {"code": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        return out


class NotFound(ApplicationError):
    def __init__(self, message: str = "未找到") -> None:
        super().__init__(message, code="not_found", status=404)


class Forbidden(ApplicationError):
    def __init__(self, message: str | None = None) -> None:
        # translated when raised: the page is in the language of the request
        super().__init__(message or gettext("无权执行此操作"), code="forbidden", status=403)
