"""The daemon (``partnerpulse run``): the config's jobs on a timer around the same
``run_sync`` the CLI runs, job leases so replicas never run a job twice at once, a
graceful stop, and ``/healthz``, ``/metrics`` and a status page.

Modules by role: ``daemon`` (lifecycle), ``jobs`` (one firing), ``triggers``
(``[schedule]`` → APScheduler), ``locks`` (leases), ``reconcile`` (drift), ``metrics``,
``http``, ``status`` (what status shows) and ``page`` (its HTML). Nothing is re-exported
here, so ``partnerpulse status`` does not pay for the web server's imports.
"""
