"""Beneficiary records: who is paid, where, how, and on whose behalf; linked to a case by its code."""
