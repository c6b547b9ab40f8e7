"""cityops: long-term operation (长效运营) of smart cities.

The package follows the flow of data: ``domain`` (pure vocabulary and rules) →
``synth`` (a synthetic city) and ``ingestion`` (sources into storage) →
``register`` (relational register) and ``lake`` (Parquet events) →
``indicators`` → ``evaluation`` → ``reporting``, with ``cli`` as the entry point.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
