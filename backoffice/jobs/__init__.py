"""Jobs: plain functions ``step(data, ctx) -> JobResult`` wiring sheets_sync, rules and generators.

A step never writes to the workbook: it returns a change set. The runner reads each
workbook once, runs the steps in order (each sees the previous ones' changes in memory) and
writes once.
"""
