"""Live play: a MIDI input port in, the band out through FluidSynth in real time (see session.py)."""
