"""Task claims: who works on what, held as git refs (see docs/parallel.md)."""
