"""Renderers for reports: ``text`` for people, ``json`` for programs."""
