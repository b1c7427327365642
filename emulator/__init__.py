"""Local stand-ins for the Railway, Supabase and Neon APIs: one ASGI app, one port, three base URLs.

`python -m emulator serve --port N` runs it; `emulator.testing.running_emulator()` runs it in-process
for tests.
"""
