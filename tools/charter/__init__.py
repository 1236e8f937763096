"""charter: Markdown-first governance for repositories worked on by coding agents."""

__version__ = "0.1.0"

# The name charter is installed under (`pip install agent-charter`); the command and the
# import package stay `charter`. "charter" itself is not charter's on the package index.
DISTRIBUTION = "agent-charter"
