"""Writing a fuzz target's seed corpus: each seed a file of its own."""

import os


def write_seeds(directory, seeds):
    """seeds: {name: bytes}, each written to DIRECTORY/name."""
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
