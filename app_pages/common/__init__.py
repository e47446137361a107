"""Pages-side helpers shared by every page: URL state, controls, cached compute, outcomes."""
