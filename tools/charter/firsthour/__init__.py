"""What `charter init` adds so that a team's first hour has no traps: the project's own
test command in the policy, secrets kept out of git, the git hooks, and generated files
that merge (see docs/init.md)."""
