"""Error pages without rich's tracebacks.

Datasette 0.65 prints every exception with rich when rich is installed (the test
dependencies bring it in), and for an address no route matches it does so outside an
``except`` block, where rich raises: an unknown address answered 500 instead of 404.
Its own plain ``traceback.print_exc`` still logs real errors.
"""

from datasette import handle_exception

handle_exception.rich = None
