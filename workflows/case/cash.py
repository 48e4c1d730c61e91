"""Which way a beneficiary is paid: into the account, or cash at the pay point or at home."""

from __future__ import annotations

from ..services import registry
from .common import record_change

PAYMENT = {
    "account": ("account", "active_cashless"),
    "pay_point": ("cash_pay_point", "cash"),
    "home": ("cash_home", "cash"),
}


@registry.handler("beneficiary.set_payment")
def set_payment(call) -> dict:
    method = call.params["method"]
    if method not in PAYMENT:
        raise ValueError(f"unknown payment method {method!r} (expected {', '.join(PAYMENT)})")
    payment_method, status = PAYMENT[method]
    record_change(call, {"payment_method": payment_method, "status": status}, "payment_method")
    return {"payment_method": payment_method}
