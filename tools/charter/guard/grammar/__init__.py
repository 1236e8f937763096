"""What allowed programs do with their arguments: option grammars and effects.

Each program the guard knows has a grammar (its options, which take values,
which are aliases of which) and a judge that reads the parsed arguments for
effects no level may have: running another program, writing a file, reading
a forbidden one. A program with a grammar whose arguments do not parse under
it is denied: an allow rule means exactly the command it names.
"""
