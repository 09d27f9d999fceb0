"""The PostgreSQL store: the same workspace in a database, live across machines.

:mod:`.location` reads ``postgresql://`` locations and pointer files and imports
nothing heavy; :mod:`.store` (which imports psycopg) is loaded only when a
PostgreSQL location is opened, so a file workspace's start-up never pays for it.
"""
