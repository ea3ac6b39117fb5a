from xinfang.reception.selectors.sessions import session_get_for_user, sessions_for_user

__all__ = ["session_get_for_user", "sessions_for_user"]
