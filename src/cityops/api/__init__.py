"""The HTTP API (``/api/v1``, ``/open311/v2``) and the console, in one ASGI app.

Route handlers stay thin: they check who is asking (``deps``), call the
services of the other packages, and shape the answer (``schemas``).
"""
