"""verkenning: strategic exploration of a shared public IT cooperation."""
