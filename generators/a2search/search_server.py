"""The BM25 index as an HTTP retrieval server with Search-R1's request and response shape, so
an RL trainer's rollouts (verl's search tool, Search-R1's ``retrieval_server``) can call the
same search that made the data.

``POST /retrieve`` takes ``{"queries": [...], "topk": k, "return_scores": bool}`` and answers
``{"result": [[{"document": {"id", "contents"}, "score": s}, ...], ...]}``, one list per query,
``contents`` being ``"Title"\\ntext``; without scores, each hit is the document itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from datagen.generators.a2search.search_index import Hit, SearchIndex

DEFAULT_TOPK = 3
MAX_TOPK = 100


class RetrieveRequest(BaseModel):
    queries: list[str] = Field(min_length=1)
    topk: int = Field(DEFAULT_TOPK, ge=1, le=MAX_TOPK)
    return_scores: bool = False


def document(hit: Hit) -> dict[str, str]:
    """A hit as Search-R1's corpus rows look: the title in quotes, a newline, the text."""
    return {"id": hit.id, "contents": f'"{hit.title}"\n{hit.text}'}


def search_app(index: SearchIndex) -> FastAPI:
    """A FastAPI app that answers ``/retrieve`` from ``index`` (one batched search a request)."""
    app = FastAPI(title="datagen search", description=f"BM25 over {len(index)} passages")

    @app.post("/retrieve")
    def retrieve(request: RetrieveRequest) -> dict[str, Any]:
        found = index.search(request.queries, k=request.topk)
        if request.return_scores:
            return {
                "result": [
                    [{"document": document(h), "score": h.score} for h in hits] for hits in found
                ]
            }
        return {"result": [[document(h) for h in hits] for hits in found]}

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "passages": len(index), "corpus": index.key}

    return app
