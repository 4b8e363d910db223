"""nurture: lead nurture for homeowners who owe more than their house is worth."""

__version__ = "0.1.0"
