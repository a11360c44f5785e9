"""Listening: raw guitar MIDI in, estimates of key, tempo and beat out. Pure: no I/O, no wall clock."""

# numpy 2.x loads numpy.ma lazily, on the first np.median or np.unique (their masked-array checks): 8-9 ms of CPU (46 M
# instructions) and the reading of its files (52 ms by the wall clock at load 13) in the tick of the first estimate that
# calls one, a stall of the live loop mid-song. Loaded here, with the listener, instead (session 27, speed27:
# `bench/listen_instructions.py --notes`' costliest note).
import numpy.ma  # noqa: F401

from engine.listen.listener import Listener, ListenerConfig

__all__ = ["Listener", "ListenerConfig"]
