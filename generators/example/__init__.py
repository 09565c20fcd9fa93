"""The worked example of ``docs/adding-a-dataset.md``: arithmetic questions, answered K times
by the engine, kept by how often it gets them right, as RL rows with a verifiable answer."""
