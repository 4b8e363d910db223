"""Message content: sandboxed Jinja templates for SMS and email, their rendering, SMS budget and lint.

`TemplateStore(directory).render(name, lead, ...)` is what the dispatcher calls;
`lint(directory, settings)` is what `nurture templates lint` runs.
"""

from nurture.content.context import PAGES, days_to_sale, money
from nurture.content.lint import Finding, lint
from nurture.content.samples import SAMPLE_NAMES, sample_leads, sample_tiers, urgency_rules
from nurture.content.sms import SegmentInfo, normalize_sms, sms_segments
from nurture.content.store import (
    HELP_TEMPLATE,
    OPT_OUT_TEXT,
    STOP_TEMPLATE,
    SYSTEM_TEMPLATES,
    THEMES,
    Rendered,
    RenderError,
    TemplateStore,
    compose,
    split_name,
    split_variant,
    variant_name,
)

__all__ = [
    "HELP_TEMPLATE",
    "OPT_OUT_TEXT",
    "STOP_TEMPLATE",
    "SYSTEM_TEMPLATES",
    "PAGES",
    "SAMPLE_NAMES",
    "THEMES",
    "Finding",
    "RenderError",
    "Rendered",
    "SegmentInfo",
    "TemplateStore",
    "compose",
    "days_to_sale",
    "lint",
    "money",
    "normalize_sms",
    "sample_leads",
    "sample_tiers",
    "sms_segments",
    "split_name",
    "split_variant",
    "urgency_rules",
    "variant_name",
]
