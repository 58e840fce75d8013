"""Reports: what social selling yields, computed from the event log.

Pure functions over a :class:`~socialcrm.repository.Repository` (a host CRM
can call them with its own store) and a clock value; nothing here imports the
CLI or writes, except :mod:`audience` and :mod:`goals`, which record settings
through the unit of work.  Each module is one report:

=================  =====================================================
module              what it computes
=================  =====================================================
``selection``       the filters every report takes, the prospects they keep
``timeline``        one prospect's stage visits, outcomes and messages
``stats``           median, 90th percentile, rounding (one definition)
``funnel``          per stage entered / still there / moved on / lost…
``outreach``        openers per week, replies, response times, follow-ups
``content``         posts' engagement rate against the per-network line
``audience``        community size per network and its monthly growth
``goals``           figures-based objectives and whether they are on track
``html`` ``charts`` the self-contained HTML report (matplotlib on use)
=================  =====================================================

The exact definitions are in ``docs/reports.md``.
"""
