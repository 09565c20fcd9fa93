"""TeaR: curated code-execution reasoning tasks ("what does f(x) return?") for RL.

source → static curation → dedup → execute (sandbox) → dynamic curation → tasks → solve
(engine, K samples) → difficulty filter → balance. Stage functions live in ``pipeline``.
"""
