"""workorders: service work orders from booking to invoice-ready ERP data.

The package is split into a pure core (``definitions``, ``forms``, ``rules``,
``connectors``) and the platform shell (``platform``) that owns the web, the
database and the job queue. See ``docs/architecture.md``.
"""

__version__ = "0.1.0"
