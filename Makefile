# Two commands do all set-up on a fresh Debian 12 machine:
#   make demo   render every example guitar file in examples/ to a backing track in out/ (MIDI + WAV), then
#               a few of them again in other styles (out/NAME--STYLE.mid/.wav), then play the example chord
#               charts (out/steppe_song.mid/.wav, and out/aqsaq_song.mid/.wav in 7/8), then one song with
#               aqyn's own SoundFont and with FluidR3_GM, each with a spectrogram PNG (out/NAME--font-FONT.wav/.png)
#   make test   lint (ruff: errors, import order, function sizes, docstrings), then the tests and doctests
# Both install what is missing: the system packages (with apt-get when root; otherwise they print the
# command to run), a virtual environment in .venv and aqyn in it, in editable mode.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.aqyn-installed
APT_PACKAGES := libfluidsynth3 fluidsynth fluid-soundfont-gm jackd2
EXAMPLES := $(wildcard examples/*.mid)
# aqyn's own SoundFont (the default sound): synthesised by soundfonts/build.py in a few seconds when missing or
# older than its generator; not kept in git.
FONT := soundfonts/aqyn.sf2
FONT_SOURCES := $(addprefix soundfonts/,build.py dombra.py percussion.py sf2write.py)
# make demo plays this song with both fonts and draws their spectrograms side by side.
FONT_SONG := d_dorian_96_4-4
GM_FONT := /usr/share/sounds/sf2/FluidR3_GM.sf2
# More styles on the examples: example:style pairs (make demo renders each after the automatic choice).
DEMO_STYLES := d_dorian_96_4-4:shertpe-332 d_dorian_96_4-4:nomad-gallop e_mixolydian_ramp_88-116_4-4:tokpe-flow \
               e_mixolydian_ramp_88-116_4-4:shertpe-332 a_minor_66_6-8:shalderish

.PHONY: demo test soak proof gig-soak gig-soak-jack jack-restart-soak bench live-bench accuracy examples system clean font

demo: $(STAMP) $(FONT)
	@mkdir -p out
	@echo "== the styles (aqyn patterns list; draw one with: aqyn patterns show tokpe-gallop)"
	@$(VENV)/bin/aqyn patterns list
	@for f in $(EXAMPLES); do \
	  name=$$(basename $$f .mid); \
	  echo "== $$name, style chosen by ear (auto)"; \
	  $(VENV)/bin/aqyn render $$f -o out/$$name.mid --wav out/$$name.wav || exit $$?; \
	done
	@for pair in $(DEMO_STYLES); do \
	  name=$${pair%%:*}; style=$${pair##*:}; \
	  echo "== $$name in $$style"; \
	  $(VENV)/bin/aqyn render examples/$$name.mid -o out/$$name--$$style.mid --wav out/$$name--$$style.wav \
	    --style $$style || exit $$?; \
	done
	@echo "== a chord chart, no guitar: aqyn play examples/steppe_song.chart (a bar of count-in)"
	@$(VENV)/bin/aqyn play examples/steppe_song.chart -o out/steppe_song.mid --wav out/steppe_song.wav --count-in 1
	@echo "== a chord chart in the aqsaq 7/8 (2+2+3): aqyn play examples/aqsaq_song.chart (a bar of count-in)"
	@$(VENV)/bin/aqyn play examples/aqsaq_song.chart -o out/aqsaq_song.mid --wav out/aqsaq_song.wav --count-in 1
	@echo "== $(FONT_SONG) with aqyn's own font and with FluidR3_GM, and a spectrogram of each (out/*--font-*.png)"
	@$(PY) -c 'import matplotlib' 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check -e '.[plot]'
	@for font in $(FONT) $(GM_FONT); do \
	  tag=$$(basename $$font .sf2); \
	  $(VENV)/bin/aqyn render examples/$(FONT_SONG).mid -o out/$(FONT_SONG)--font-$$tag.mid \
	    --wav out/$(FONT_SONG)--font-$$tag.wav --soundfont $$font || exit $$?; \
	  $(PY) soundfonts/spectrogram.py out/$(FONT_SONG)--font-$$tag.wav --title "$(FONT_SONG), $$tag" || exit $$?; \
	done
	@echo "backing tracks are in out/ (NAME.mid plays the whole song; NAME.wav is the band alone; NAME--STYLE.* in another style; steppe_song.* and aqsaq_song.* from the charts; NAME--font-*.wav/.png with each font)"

test: $(STAMP) $(FONT)
	$(VENV)/bin/ruff check engine tests bench examples soundfonts
	$(PY) -m pytest -q

# The property tests with many more generated takes (make test tries 40): SOAK_EXAMPLES of them, ~0.7 s each.
SOAK_EXAMPLES ?= 2000
soak: $(STAMP)
	PROPERTY_EXAMPLES=$(SOAK_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/test_band_properties.py

# The proof of issue 13, with hypothesis's counts: LIVE_PROOF_EXAMPLES generated live sessions through the live
# driver (make test tries 30), then FUZZ_PROOF_EXAMPLES mutated inputs of each kind (MIDI file, style, footswitch
# map, cue file; make test tries 40) and FUZZ_CLI_PROOF_EXAMPLES MIDI files through `aqyn render`.
LIVE_PROOF_EXAMPLES ?= 10000
FUZZ_PROOF_EXAMPLES ?= 5000
FUZZ_CLI_PROOF_EXAMPLES ?= 100
PROOF_PYTEST := -m pytest -q -p no:cacheprovider --hypothesis-show-statistics -W ignore::hypothesis.errors.HypothesisWarning
proof: $(STAMP)
	LIVE_EXAMPLES=$(LIVE_PROOF_EXAMPLES) $(PY) $(PROOF_PYTEST) tests/test_live_properties.py
	FUZZ_EXAMPLES=$(FUZZ_PROOF_EXAMPLES) FUZZ_CLI_EXAMPLES=$(FUZZ_CLI_PROOF_EXAMPLES) $(PY) $(PROOF_PYTEST) \
	  tests/test_fuzz_inputs.py

# A three-hour gig under a virtual clock (beat drift, memory growth, late events, stuck notes); then the same
# figures from ten minutes in real time through FluidSynth into a JACK server on the dummy backend.
gig-soak: $(STAMP)
	$(PY) bench/soak.py --hours 3

gig-soak-jack: $(STAMP)
	$(PY) bench/soak.py --jack --minutes 10

# aqyn live through JACK server restarts, each ended by SIGTERM (a burst of 5): clean exits counted.
jack-restart-soak: $(STAMP)
	$(PY) bench/jack_restart_soak.py --rounds 20 --sigterms 5

bench: $(STAMP)
	$(PY) bench/render_speed.py

# Live timing on a JACK server with the dummy backend: onset error, decision latency, memory.
live-bench: $(STAMP)
	$(PY) bench/live_timing.py

# Listening accuracy against peer tools on ../shared/data (POP909, ASAP, Nottingham), then on the takes with a
# truth JSON (GuitarSet dev, converter-set-b, the second simulator's seeds 1 and 2). Installs the peers
# (mir_eval, partitura, music21, pretty_midi); madmom is optional: see README.
accuracy: $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(PY) bench/accuracy.py
	$(PY) bench/accuracy.py --sets guitarset-dev,converter-set-b,sim2,sim2-held --limit 100
	$(PY) bench/listen_speed.py

font: $(FONT)

examples: $(STAMP)
	$(PY) examples/make_examples.py

$(STAMP): pyproject.toml | system
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,font]'
	@touch $(STAMP)

$(FONT): $(FONT_SOURCES) | $(STAMP)
	$(PY) soundfonts/build.py $@

# System packages: FluidSynth (library and command), a General MIDI SoundFont, JACK (live play and its tests); python3-venv when the
# interpreter cannot make a virtual environment (Debian splits it out).
system:
	@missing=""; \
	if command -v dpkg >/dev/null 2>&1; then \
	  for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	  $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	      || { echo "apt-get install failed for:$$missing" >&2; exit 2; }; \
	  else \
	    echo "aqyn needs these system packages:$$missing" >&2; \
	    echo "install them with: sudo apt-get install -y --no-install-recommends$$missing" >&2; \
	    exit 2; \
	  fi; \
	fi

clean:
	rm -rf out .pytest_cache build *.egg-info
