"""Listening: raw guitar MIDI in, estimates of key, tempo and beat out. Pure: no I/O, no wall clock."""

from engine.listen.listener import Listener, ListenerConfig

__all__ = ["Listener", "ListenerConfig"]
