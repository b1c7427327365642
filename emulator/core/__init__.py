"""The vendor-neutral part of the emulator: routing, request log, faults, clock, rate limits, state file."""

from emulator.core.app import EmulatorApp, Settings
from emulator.core.vendor import EmuRequest, EmuResponse, VendorBackend, VendorHost

__all__ = ["EmuRequest", "EmuResponse", "EmulatorApp", "Settings", "VendorBackend", "VendorHost"]
