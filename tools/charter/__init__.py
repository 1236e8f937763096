"""charter: Markdown-first governance for repositories worked on by coding agents."""

__version__ = "0.1.0"
