"""The project folder: its Turtle files, their checks, the build that publishes them, the
history of builds, and the curators' tools that rewrite data/ (privacy, reconciliation)."""
