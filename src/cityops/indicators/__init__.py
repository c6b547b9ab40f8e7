"""Indicators (指标): the catalogue as data, computations per engine, and facts."""
