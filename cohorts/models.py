"""Cohorts, memberships, invitations, schedules, nudges and progress."""
