"""A²Search: ambiguous questions, answer sets proved by the passages a search agent found."""
