"""The synthetic city (``cityops synth``): every contract table, realistic and reproducible.

See ``docs/synth.md``.  The public entry point is :func:`generate_city`.
"""

from .generate import FORMATS, SynthSummary, generate_city
from .scales import SCALES, Scale

__all__ = ["FORMATS", "SCALES", "Scale", "SynthSummary", "generate_city"]
