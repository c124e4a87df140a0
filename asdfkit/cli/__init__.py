"""The ``asdf-cli`` command line: thin click commands over the library."""
