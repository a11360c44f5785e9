"""Arranging: musical state + pattern library -> notes on the band's beat grid. Pure; randomness from a seed."""
