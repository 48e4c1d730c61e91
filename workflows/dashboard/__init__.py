"""The province's view of where it stands (issue 14): dashboards with a drill-down province → district →
commune, the coverage targets it sets, the monthly district report, and its own yearly work as BPMN.

Figures are plain functions returning dataclasses (``dashboard_page``), for the pages, their xlsx
downloads and the REST API alike.
"""

from .frame import DASHBOARD_ROLES, Frame, Place, build_frame
from .page import DashboardPage, dashboard_page
from .targets import Target, set_target, target_history
from .yearly import PROCESS as YEAR_PROCESS
from .yearly import YearStart, YearView, get_document, start_year, start_years, year_view

__all__ = [
    "DASHBOARD_ROLES",
    "DashboardPage",
    "Frame",
    "Place",
    "Target",
    "build_frame",
    "dashboard_page",
    "set_target",
    "target_history",
    "YEAR_PROCESS",
    "YearStart",
    "YearView",
    "get_document",
    "start_year",
    "start_years",
    "year_view",
]
