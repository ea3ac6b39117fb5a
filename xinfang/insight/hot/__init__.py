"""Hot issues: many petitions about one matter in one place, for analysts and leaders."""
