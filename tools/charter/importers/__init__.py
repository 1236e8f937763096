"""Importers: plans written from the trackers teams already keep.

Each importer reads its source and returns an `ImportResult` (the plan files to
write, and diagnostics about the source); `writer.write_plans` writes them,
never over an existing file. Every plan is read back with charter's own parser
before it is written, so what was imported is what `charter check` will see.
"""
