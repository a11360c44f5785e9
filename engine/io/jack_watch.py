"""Whether the JACK server is still there: a client of our own, with no ports, that libjack tells when the
server goes away (its shutdown callback), and that can try to reach the server again.

rtmidi tells nothing when the server dies: a virtual port simply stops receiving, and the clients rtmidi
and FluidSynth hold are left dangling. libjack frees a client whose server died by itself, so closing one
afterwards crashes the process (measured: a segmentation fault in `jack_client_close`); such clients are
abandoned, never closed, here and by the callers (see `MidiInput.reopen` and `FluidLiveSink.reopen_driver`).

Nor does rtmidi tell when its connection to the source port is gone while both ports stay: someone ran
jack_disconnect, or its own connect failed (rtmidi ignores jack_connect's result). The watch's client reads the
port graph (`connections`) so that the session notices that too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import threading

JACK_NO_START_SERVER = 0x01     # jack_options_t: never start a server ourselves
JACK_PORT_IS_INPUT, JACK_PORT_IS_OUTPUT = 0x1, 0x2    # JackPortFlags (jack/types.h)
JACK_MIDI_TYPE = b"8 bit raw midi"                    # JACK_DEFAULT_MIDI_TYPE (jack/types.h)
_SHUTDOWN = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def _libjack():
    """libjack through ctypes, or None when it is not installed."""
    name = ctypes.util.find_library("jack")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.jack_client_open.restype = ctypes.c_void_p
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_on_shutdown.restype = None
    lib.jack_on_shutdown.argtypes = [ctypes.c_void_p, _SHUTDOWN, ctypes.c_void_p]
    lib.jack_client_close.restype = ctypes.c_int
    lib.jack_client_close.argtypes = [ctypes.c_void_p]
    lib.jack_port_by_name.restype = ctypes.c_void_p
    lib.jack_port_by_name.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.jack_port_get_all_connections.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.jack_port_get_all_connections.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.jack_get_ports.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.jack_get_ports.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong]
    lib.jack_free.restype = None
    lib.jack_free.argtypes = [ctypes.c_void_p]
    return lib


class JackWatch:
    """Watches the JACK server (the one JACK_DEFAULT_SERVER names, or the default) through a portless client
    named `name`. `alive()`: the server has not gone since the client connected; `reopen()`: connect again
    (True once the server is back). Opening never starts a server."""

    def __init__(self, name: str = "aqyn-watch"):
        self.name = name
        self._lib = _libjack()
        self._gone = threading.Event()
        self._callback = _SHUTDOWN(lambda _arg: self._gone.set())   # kept: libjack holds only the pointer
        self._client: int | None = None

    def open(self) -> bool:
        """Connect to the server; True when it answered (False also when libjack is not installed)."""
        from engine.io.ports import quiet_stderr  # noqa: PLC0415 (libjack prints on a failed connect)

        if self._lib is None:
            return False
        status = ctypes.c_int()
        with quiet_stderr():
            client = self._lib.jack_client_open(self.name.encode(), JACK_NO_START_SERVER, ctypes.byref(status))
        if not client:
            return False
        self._gone.clear()
        self._lib.jack_on_shutdown(client, self._callback, None)
        self._client = client
        return True

    def alive(self) -> bool:
        """True while connected and the server has not shut down or dropped us."""
        return self._client is not None and not self._gone.is_set()

    def connections(self, port: str) -> list[str] | None:
        """The full names of the ports connected to `port` (a full name, "client:port"); [] when it has none or
        is not there; None when the server is gone or libjack is not here (nothing known). A read of the
        server's port graph through our client (jack_port_get_all_connections, JACK's API), no round trip."""
        if not self.alive():
            return None
        handle = self._lib.jack_port_by_name(self._client, port.encode())
        if not handle:
            return []
        return self._names(self._lib.jack_port_get_all_connections(self._client, handle))

    def midi_ports(self, kind: str) -> list[str] | None:
        """The full names of the server's MIDI ports we could open as `kind`: "input" (ports that send: the
        converter's) or "output" (ports that receive: a synth's); None when the server is gone or libjack is not
        here. A read of the port graph (jack_get_ports), no new client: opening one held the GIL for seconds on
        a loaded server (engine.io.ports.MidiInput.reopen)."""
        if not self.alive():
            return None
        flags = JACK_PORT_IS_OUTPUT if kind == "input" else JACK_PORT_IS_INPUT
        return self._names(self._lib.jack_get_ports(self._client, None, JACK_MIDI_TYPE, flags))

    def _names(self, names) -> list[str]:
        """A NULL-terminated array of port names from libjack as a list, the array freed (jack_free)."""
        if not names:
            return []
        found = []
        for i in itertools.count():
            if names[i] is None:
                break
            found.append(names[i].decode(errors="replace"))
        self._lib.jack_free(ctypes.cast(names, ctypes.c_void_p))
        return found

    def reopen(self) -> bool:
        """After the server went: abandon the dead client (never close it) and connect again; True when the
        server is back."""
        if self.alive():
            return True
        self._client = None
        return self.open()

    def close(self) -> None:
        """Close the client while the server lives (a dead one is abandoned); safe to call more than once."""
        if self.alive():
            self._lib.jack_client_close(self._client)
        self._client = None
