"""The stages: async (state, runtime) -> partial update, with their prompts."""
