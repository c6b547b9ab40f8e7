"""The service layer: one module per feature, each use case a function taking a
unit of work (``unit_of_work.py``).  The API, the console, the CLI, the reports
and the demo call these and nothing below them."""
