"""aqyn: a dombra and Kazakh percussion band that listens to a guitarist's MIDI and plays along."""

__version__ = "0.1.0"
