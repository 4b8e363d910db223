"""Leads as the JSON the API answers and `leads show --json` prints."""

from __future__ import annotations

from typing import Any

from nurture.law.consent import consent_json
from nurture.models import Consent, Lead


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def lead_json(lead: Lead, consents: list[Consent] | None = None) -> dict[str, Any]:
    """The lead in the intake's shape (nested property, mailing address and foreclosure), money as decimal strings."""
    data: dict[str, Any] = {
        "id": lead.id,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "property": {"street": lead.street, "city": lead.city, "state": lead.state, "zip": lead.zip},
        "mailing_address": {"street": lead.mailing_street, "city": lead.mailing_city, "state": lead.mailing_state,
                            "zip": lead.mailing_zip},
        "mortgage_balance": _money(lead.mortgage_balance),
        "estimated_value": _money(lead.estimated_value),
        "equity_gap": _money(lead.equity_gap),
        "payment_status": lead.payment_status,
        "months_behind": lead.months_behind,
        "hardships": list(lead.hardships or []),
        "foreclosure": {
            "stage": lead.foreclosure_stage,
            "sale_date": lead.sale_date.isoformat() if lead.sale_date else None,
            # An estimate is the earliest date the state's procedure allows after a recorded notice.
            "sale_date_estimated": bool(lead.sale_date_estimated),
            "sale_date_reason": lead.sale_date_reason,
        },
        "parcel_number": lead.parcel_number,
        "timezone": lead.timezone,
        "status": lead.status,
        "status_reason": lead.status_reason,
        "source": lead.source,
        "external_id": lead.external_id,
        "language": lead.language,
        "language_reason": lead.language_reason,
        "enrolled_at": lead.enrolled_at.isoformat(),
        "created_at": lead.created_at.isoformat(),
        "updated_at": lead.updated_at.isoformat(),
    }
    if consents is not None:
        data["consents"] = [consent_json(c) for c in consents]
    return data
