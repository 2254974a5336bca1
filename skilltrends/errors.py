"""UserError: a mistake or a condition the user can fix, told in one sentence, no traceback.

Every package raises a subclass for such cases; the CLI prints the message and exits 1.
"""


class UserError(Exception):
    pass
