"""Rules: pure functions over plain data (no database, no web), tested exhaustively."""
