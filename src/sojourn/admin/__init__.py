"""Piccolo Admin at ``/admin``: raw tables for Sojourn's administrators, behind Sojourn's own sign-in."""
