def greet(name):
    """Return a friendly greeting."""
    return "Hello, " + name


def add(a, b):
    return a + b
