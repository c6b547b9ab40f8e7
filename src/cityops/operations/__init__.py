"""The operations pages (运营模块): the month of one region as its operators run it.

One module per page (``portal``, ``hotline``, ``infrastructure``), each a few
DuckDB queries over the lake and the register; the headline rates are the
month's indicator facts (``figures``), so a page and the evaluation never
disagree on the same number.  ``month`` limits every query to the region and
the regions below it.  The operations service (``cityops.services.operations``)
gives them a connection and keeps their answers.
"""
