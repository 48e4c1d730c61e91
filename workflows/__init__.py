"""The domain: beneficiaries, agencies and areas, payout cycles, forms, service-task handlers, rules."""
