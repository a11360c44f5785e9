"""Everything that reads or writes files and ports lives here (mido, pyfluidsynth)."""
