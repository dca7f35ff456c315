"""Store-backed commands of the ``levelhead`` CLI, loaded only when run."""
