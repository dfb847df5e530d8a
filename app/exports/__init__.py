"""Payroll and funder exports, and the verification of signed timesheets."""
