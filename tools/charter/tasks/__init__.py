"""Tasks for people and agents: reading one (show, next) and editing plans in place."""
