"""ICCS and MCCC alignment on numpy arrays, and on the waveforms of an ASDF event."""
