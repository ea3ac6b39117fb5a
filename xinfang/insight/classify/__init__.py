"""Topics: the category suggestion at intake (the classifier), and the topic a person decides."""
