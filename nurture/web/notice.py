"""GET /notice: Regulation O's full notice (12 CFR 1015.4), the page every text's short form links to."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from nurture.config import get_settings
from nurture.web.responses import answers
from nurture.law.regulation_o import load, notice
from nurture.web.pages import render

router = APIRouter()


@router.get("/notice", response_class=HTMLResponse, tags=["public"], responses=answers(422))
def full_notice(
    lang: Literal["en", "es"] = Query("en", description="the page's language: the Spanish texts link to lang=es"),
) -> HTMLResponse:
    """Every disclosure the business's status requires, with its name and fee words; public, no login."""
    settings = get_settings()
    fee = settings.mars_fee_es if lang == "es" else settings.mars_fee
    shown = notice(status=settings.mars_status, company=settings.company_name, fee=fee,
                   public_url=settings.public_url, language=lang)
    return render("notice.html", notice=shown, company=settings.company_name, address=settings.company_address,
                  site=settings.site_url, stop_paying_citation=load().stop_paying.citation, lang=lang)
