"""The batched agent loop that multi-turn datasets share: tools, turn protocols, the loop and
its shard stage (``generators.agent.stage``)."""
