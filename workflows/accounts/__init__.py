"""Staff accounts: each user belongs to one agency; passwords hashed with argon2; logins throttled."""

from .models import LoginAttempt, User
from .service import (
    LoginResult,
    authenticate,
    create_user,
    get_user,
    hash_password,
    list_users,
    reset_password,
    throttle_wait,
    verify_password,
)

__all__ = [
    "LoginResult",
    "LoginAttempt",
    "User",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "list_users",
    "reset_password",
    "throttle_wait",
    "verify_password",
]
