"""The go-live rehearsal: the stack's runtime stood up on one machine, against the real open runtime.

install.py finds the pinned runtime (tools/runtime) and says which version it runs
for a stack's image; env.py derives the server container's env from the offline
preview's recorded graph; runtime.py starts, waits for and stops the runtime.
"""
