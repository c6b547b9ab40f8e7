"""Citizen service requests as tickets (市民诉求工单): lifecycle rules, storage of
requests and their events, and the outbox that carries the events into the lake.

The Open311 endpoint creates tickets, departments record what they did with
them, and both append ``ticket_events`` rows to the register's outbox; the
lake receives those rows in batches (``outbox.flush_outbox``), because it is
append-by-batch, not per request.
"""
