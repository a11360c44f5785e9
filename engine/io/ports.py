"""MIDI ports through python-rtmidi: which backends work here, what ports they offer, opening one by name.

Two backends matter on Linux: ALSA (absent on machines without /dev/snd/seq, where rtmidi raises
SystemError) and JACK (needs a running server). `auto` tries JACK first when a server answers, then ALSA.
Port names match by case-insensitive substring, so `--in gr-55` finds "GR-55:GR-55 MIDI 1 20:0".
The native libraries print their own complaints to stderr when a backend is missing; we silence those and
say once, in our words, what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import rtmidi

from engine.errors import MidiBackendError, PortNotFound
from engine.io.native_stderr import quiet_stderr

APIS = {"jack": rtmidi.API_UNIX_JACK, "alsa": rtmidi.API_LINUX_ALSA}
CLIENT = "aqyn"
_ABANDONED: list = []    # rtmidi clients of a JACK server that died: kept, never closed (see engine.io.jack_watch)


@dataclass
class Backend:
    """A MIDI backend (`name`: jack or alsa): whether it can be used, the problem when not, and its
    input and output port names."""

    name: str                   # "jack" or "alsa"
    available: bool
    inputs: list[str] = field(default_factory=list)    # ports we can read from (a guitar, a DAW)
    outputs: list[str] = field(default_factory=list)   # ports we can write to
    problem: str = ""           # why it is unavailable, and what to do


def probe(name: str) -> Backend:
    """Open a throw-away client on one backend and list its ports."""
    api = APIS[name]
    if api not in rtmidi.get_compiled_api():
        return Backend(name, False, problem=f"python-rtmidi was built without {name.upper()} support")
    try:
        with quiet_stderr():
            mi = rtmidi.MidiIn(api, f"{CLIENT}-probe")
            mo = rtmidi.MidiOut(api, f"{CLIENT}-probe")
            ins, outs = mi.get_ports(), mo.get_ports()
            mi.delete()
            mo.delete()
    except rtmidi.RtMidiError:
        hint = ("no JACK server is running (start one, e.g. `jackd -d alsa` or `jackd -d dummy`, and set "
                "JACK_DEFAULT_SERVER if it has a name)" if name == "jack"
                else "no ALSA sequencer on this machine (/dev/snd/seq is missing; load snd-seq or use JACK)")
        return Backend(name, False, problem=hint)
    return Backend(name, True, others(ins), others(outs))


def choose_backend(api: str) -> Backend:
    """`jack`, `alsa` or `auto` (JACK when a server runs, else ALSA). Raises MidiBackendError, naming why."""
    if api not in ("auto", *APIS):
        raise MidiBackendError(f"unknown MIDI backend {api!r}; use auto, jack or alsa")
    names = ["jack", "alsa"] if api == "auto" else [api]
    tried = []
    for name in names:
        b = probe(name)
        if b.available:
            return b
        tried.append(f"{name}: {b.problem}")
    raise MidiBackendError("no MIDI backend works here — " + "; ".join(tried))


_NONE_HINT = {   # what to do when no port of a kind exists at all (aqyn ports lists them)
    "input": "connect the converter, or use --virtual and connect it to 'aqyn:guitar in'",
    "output": "connect the synth, or use --midi-out virtual and connect 'aqyn-out:band out' to it",
}


def others(ports: list[str]) -> list[str]:
    """The port names of `ports` ("client:port") not of our own client ("aqyn:"): ours are nothing to connect to."""
    return [p for p in ports if not p.startswith(f"{CLIENT}:")]


def match_port(wanted: str, ports: list[str], what: str) -> int:
    """Index of the one port whose name contains `wanted` (case-insensitive); an exact name wins. Raises
    PortNotFound naming the `what` ports there are ("input" or "output"), or, with none of that kind at all, the
    way to a virtual port (`--virtual`, `--midi-out virtual`); or when several match."""
    w = wanted.lower()
    exact = [i for i, p in enumerate(ports) if p.lower() == w]
    if exact:
        return exact[0]
    hits = [i for i, p in enumerate(ports) if w in p.lower()]
    if len(hits) == 1:
        return hits[0]
    available = ", ".join(repr(p) for p in ports) or "none"
    if not hits and not ports:
        raise PortNotFound(f"no MIDI {what} matching {wanted!r}: there are no MIDI {what}s here; " + _NONE_HINT[what])
    if not hits:
        raise PortNotFound(f"no MIDI {what} matching {wanted!r}; available: {available}")
    raise PortNotFound(f"{len(hits)} MIDI {what}s match {wanted!r} ({', '.join(repr(ports[i]) for i in hits)}); "
                       "give more of the name")


def check_named(backend: Backend, input_name: str | None, output_name: str | None = None) -> None:
    """Raises PortNotFound (naming the ports there are) when the input or output port named is not among
    `backend`'s, before anything else is opened: a wrong `--in` must not first start a synth whose file
    driver would overwrite an earlier WAV. None (or "") names a virtual port, which always opens."""
    if input_name:
        match_port(input_name, backend.inputs, "input")
    if output_name:
        match_port(output_name, backend.outputs, "output")


Callback = Callable[[list[int], float], None]   # (message bytes, timestamp in clock seconds)


# Reconnects on our own client (`MidiInput._reconnect`) between two tries with a new client: at the session's
# port check every 0.25 s, a new client every 2 s while the port stays away.
NEW_CLIENT_EVERY = 8


class MidiInput:
    """One input: a named port of another client, or a virtual port others connect to (`name=None`).

    The rtmidi callback only timestamps and hands the bytes on (DESIGN habit 7). `alive()` tells whether the
    source port still exists; `reopen()` connects again after it came back.
    """

    def __init__(self, backend: Backend, name: str | None, on_message: Callback, now: Callable[[], float],
                 port_name: str = "guitar in", ignore_clock: bool = True):
        self.backend = backend
        self.wanted = name
        self.port_name = port_name
        self._on_message = on_message
        self._now = now
        self._ignore_clock = ignore_clock
        self._midi: rtmidi.MidiIn | None = None
        self.source: str | None = None   # the connected port's full name (None for a virtual port)
        self._misses = 0                  # reconnects on our client that found no port, in a row
        self.open()

    def open(self) -> None:
        """Open the port (connect to the named one, or open a virtual one). Raises PortNotFound, or
        MidiBackendError when the backend fails under it (a JACK server dying while the port opens)."""
        mi = None
        try:
            with quiet_stderr():
                mi = rtmidi.MidiIn(APIS[self.backend.name], CLIENT)
                if self.wanted is None:
                    mi.open_virtual_port(self.port_name)
                else:
                    self.source = _open_named(mi, self.wanted, "input", self.port_name)
        except rtmidi.RtMidiError as exc:
            if mi is not None:
                _ABANDONED.append(mi)        # its server may be gone: kept, never closed (engine/io/jack_watch.py)
            raise MidiBackendError(f"the MIDI input did not open ({exc}); is the {self.backend.name.upper()} "
                                   "server still running?") from None
        # sysex and active sensing are noise here; clock is kept only when we follow an external clock.
        mi.ignore_types(sysex=True, timing=self._ignore_clock, active_sense=True)
        mi.set_callback(self._callback)
        mi.set_error_callback(self._error)
        self._midi = mi
        self.errors = 0

    def _callback(self, event, _data=None) -> None:
        self._on_message(event[0], self._now())

    def _error(self, _kind, _message, _data=None) -> None:
        self.errors += 1

    def available_sources(self) -> list[str]:
        """The ports of other clients this input could connect to."""
        if self._midi is None:
            return []
        with quiet_stderr():
            return others(self._midi.get_ports())

    def alive(self) -> bool:
        """A virtual port lives as long as we do; a connection lives while its source port exists."""
        if self.wanted is None:
            return True
        try:
            return self.source in self.available_sources()
        except rtmidi.RtMidiError:
            return False

    def linked(self, connections: list[str] | None) -> bool:
        """Whether our port is among `connections` (full port names, "client:port", connected to our source, as
        JackWatch.connections reads them); True when they are unknown (None). JACK names a second client of
        ours "aqyn-01": a port of our name on any aqyn client counts (two aqyns on one guitar port are not told
        apart)."""
        if connections is None:
            return True
        return any(_ours(name, self.port_name) for name in connections)

    def reopen(self, server_died: bool = False, new_client: bool = False) -> bool:
        """Try to connect again to a port matching the wanted name (or make the virtual port again); True when
        connected. `server_died`: the JACK server went away, so the old client is abandoned, not closed, and a new
        one opened. `new_client`: ours is alive but cannot be connected (a relink on it did not hold): closed, and
        a new one opened. Otherwise the client we have looks for the port, and only once it is back connects to it again
        (`_reconnect`): python-rtmidi holds the GIL through a JACK client's close and open, which on a loaded
        server took 6 and 15 s (sparse25's gil_probe: the engine thread stalled, and under `--on-input-loss
        continue` the band fell silent from the pulled cable on, one client closed and opened a second)."""
        if server_died:
            self.abandon()
        elif self._midi is not None and self.wanted is not None and not new_client:
            if self._reconnect():
                self._misses = 0
                return True
            self._misses += 1
            if self._misses % NEW_CLIENT_EVERY:
                return False
            # now and then a new client all the same: ours may be dead (a JACK server restarted between two
            # checks lists no ports to it; a test of the restart failed 2 runs in 5 without this)
        self.close()
        try:
            self.open()
            return True
        except (PortNotFound, MidiBackendError):
            self._midi = None
            return False

    def abandon(self) -> None:
        """The JACK server died: keep the dead client, never close it (`close` then has nothing to close)."""
        if self._midi is not None:
            _ABANDONED.append(self._midi)
            self._midi = None

    def _reconnect(self) -> bool:
        """Connect our client's port again to the wanted port once it is among the ports there are: True then (7 ms
        on the loaded server that took seconds to open a client), False while it is not back (nothing opened)."""
        try:
            match_port(self.wanted, self.available_sources(), "input")
        except PortNotFound:
            return False                # not back yet
        try:
            with quiet_stderr():
                self._midi.cancel_callback()
                self._midi.close_port()
                self.source = _open_named(self._midi, self.wanted, "input", self.port_name)
                self._midi.set_callback(self._callback)
            return True
        except PortNotFound:
            self._midi = None           # gone again meanwhile (`_open_named` deleted the client): opened anew next
            return False
        except rtmidi.RtMidiError:
            return False

    def close(self) -> None:
        """Close the port; safe to call more than once."""
        if self._midi is not None:
            try:
                self._midi.cancel_callback()
                self._midi.close_port()
                self._midi.delete()
            except rtmidi.RtMidiError:
                pass
            self._midi = None


class MidiOutput:
    """An output port: a named port of another client, or a virtual one (`name=None`). Raises PortNotFound."""

    def __init__(self, backend: Backend, name: str | None, port_name: str = "band out"):
        self.backend, self.wanted, self.port_name = backend, name, port_name
        self._midi = self._open()
        self.errors = 0

    def _open(self) -> rtmidi.MidiOut:
        with quiet_stderr():
            mo = rtmidi.MidiOut(APIS[self.backend.name], f"{CLIENT}-out")   # its own client: the input keeps "aqyn"
            if self.wanted is None:
                mo.open_virtual_port(self.port_name)
                self.target = f"{CLIENT}-out:{self.port_name}"
                return mo
            self.target = _open_named(mo, self.wanted, "output", self.port_name)
        return mo

    def reopen(self) -> bool:
        """After the JACK server died and came back: abandon the old client (never closed, see
        engine.io.jack_watch) and open the port again; True when it is open."""
        self.abandon()
        try:
            self._midi = self._open()
            return True
        except (PortNotFound, rtmidi.RtMidiError):
            return False

    def abandon(self) -> None:
        """The JACK server died: keep the dead client, never close it (`close` then closes nothing). Safe to
        call more than once."""
        if not any(m is self._midi for m in _ABANDONED):
            _ABANDONED.append(self._midi)

    def send(self, message: list[int]) -> bool:
        """False (and counted) when the port has gone; never raises."""
        try:
            self._midi.send_message(message)
            return True
        except (rtmidi.RtMidiError, ValueError):
            self.errors += 1
            return False

    def close(self) -> None:
        """Close the port; never raises."""
        if self._midi in _ABANDONED:
            return
        try:
            self._midi.close_port()
            self._midi.delete()
        except rtmidi.RtMidiError:
            pass


def _ours(full_name: str, port_name: str) -> bool:
    """Whether `full_name` ("client:port") is port `port_name` of our client: "aqyn", or "aqyn-NN" as JACK
    renames a second client of the same name."""
    client, _, port = full_name.partition(":")
    return port == port_name and (client == CLIENT or re.fullmatch(rf"{CLIENT}-\d+", client) is not None)


def _open_named(client, wanted: str, kind: str, port_name: str) -> str:
    """Open, as `port_name`, the connection of rtmidi `client` (a MidiIn or MidiOut) to the port that `wanted`
    names among the other clients' ports (`kind`: "input" or "output", for the message); returns that port's
    full name. Raises PortNotFound (naming the ports there are), the client deleted."""
    all_ports = client.get_ports()
    ports = others(all_ports)
    try:
        i = match_port(wanted, ports, kind)
    except PortNotFound:
        client.delete()
        raise
    client.open_port(all_ports.index(ports[i]), port_name)
    return ports[i]
