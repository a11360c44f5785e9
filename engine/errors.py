"""One error family. Each error is also the builtin it resembles, so callers may catch either.

A message says what was wrong and what to do about it; the CLI prints it on one line and exits 2.
"""


class EngineError(Exception):
    """Base of every error aqyn raises on purpose."""


class InputFileError(EngineError, ValueError):
    """The input file is missing, not MIDI, or has nothing to play along with."""


class OutputPathError(EngineError, OSError):
    """An output file cannot be written where the user asked."""


class StyleNotFound(EngineError, LookupError):
    """No style of that name in the pattern folders."""


class StyleMeterError(EngineError, ValueError):
    """The style asked for cannot play in the player's meter; the message names the styles that can."""


class PatternError(EngineError, ValueError):
    """A pattern file is malformed; the message names file:line:col."""


class SoundFontNotFound(EngineError, FileNotFoundError):
    """No SoundFont could be found or loaded."""


class SynthError(EngineError, RuntimeError):
    """FluidSynth could not be started or failed while rendering."""


class PortNotFound(EngineError, LookupError):
    """No MIDI port matches the name given; the message lists the ports there are."""


class MidiBackendError(EngineError, OSError):
    """No MIDI backend (ALSA sequencer, JACK server) can be opened."""


class AudioDriverError(EngineError, OSError):
    """FluidSynth could not open the audio driver asked for."""


class ConfigError(EngineError, ValueError):
    """A configuration file (footswitch map, live settings) is malformed; the message names file:line."""


class ChartError(EngineError, ValueError):
    """A chord chart is malformed; the message names file:line:col, what is wrong and what to write instead."""


class OptionError(EngineError, ValueError):
    """A command-line option is out of range or does not fit the input (a section the chart lacks)."""
