"""Chord charts: a text chart (or an iReal Pro link) read into a song the band plays without a guitar."""
