"""Quality gates: the gate tables of plans, read and evaluated against metric files."""
