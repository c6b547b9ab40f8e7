"""Open311 GeoReport v2 (``/open311/v2``): citizens' service requests in, their
status out, in XML or JSON.

``router`` the operations · ``schemas`` the spec's shapes · ``render`` XML and
JSON · ``errors`` the spec's error answers · ``criteria`` the filters of a
query · ``submission`` how a request becomes a ticket.  What is read and
written goes through the services (``cityops.services.open311``, ``tickets``).
"""
