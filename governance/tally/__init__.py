"""Pure vote-counting functions, one module per ballot kind.

They take option ids and anonymous ballot contents and return plain dicts (JSON-safe, stored as
the ballot's result and published as is). They never touch the database, so each can be tested
against textbook examples and anyone can rerun a count from the published ballot list.

Ties follow one published rule (`tiebreak.lot_order`): an order of the options drawn by lot from
the ballot's `tie_break_seed`, which is published with the ballot when it is created, before
anyone votes. STV first looks back at earlier rounds (see stv.py).
"""

from __future__ import annotations
