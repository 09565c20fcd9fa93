"""TeaR: curated code-execution reasoning tasks ("what does f(x) return?") for RL.

source (``sources``: HumanEval, JSONL; ``seeds``: functions the engine writes from topics) →
static curation → dedup → execute (sandbox) → dynamic curation → describe (``describe``, for
the no-code variant) → tasks in each variant → solve (engine, K samples) → difficulty filter
→ balance. Stage functions live in ``pipeline``.
"""
