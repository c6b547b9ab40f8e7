"""The web console (控制台): server-rendered pages in the API's app.

Jinja2 renders each page with the user's language; charts are drawn in the
browser by Apache ECharts from the same ``/api/v1`` JSON the API serves, so
the console shows nothing the API would not give the same user.  ECharts and
htmx are served from ``static/vendor`` (fetched at install, no CDN).
"""
