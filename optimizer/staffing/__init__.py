"""Staffing: staff and on-call reserve requirements from forecast demand."""

from optimizer.staffing.requirements import erlang_c_staff, ratio_staff, staff_requirements

__all__ = ["erlang_c_staff", "ratio_staff", "staff_requirements"]
