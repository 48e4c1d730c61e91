"""Access for other systems: API tokens (hashed, expiring, scoped), idempotent POSTs, and results sent
line by line through the same import as a provider's file."""

from .idempotency import KeyInProgress, KeyReused, StoredAnswer, claim_key, keep_answer, release_key
from .models import ApiToken, IdempotentRequest
from .results import import_result_lines
from .tokens import (
    SCOPES,
    NewToken,
    Principal,
    TokenInfo,
    authenticate_token,
    create_token,
    list_tokens,
    record_call,
    revoke_token,
)

__all__ = [
    "SCOPES",
    "ApiToken",
    "IdempotentRequest",
    "KeyInProgress",
    "KeyReused",
    "NewToken",
    "Principal",
    "StoredAnswer",
    "TokenInfo",
    "authenticate_token",
    "claim_key",
    "create_token",
    "import_result_lines",
    "keep_answer",
    "list_tokens",
    "record_call",
    "release_key",
    "revoke_token",
]
