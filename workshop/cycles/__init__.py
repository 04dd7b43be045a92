"""A partnership's rounds of the TPI cycle (see ``workshop.models.cycle``)."""
