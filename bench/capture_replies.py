"""Record what a real model answers to the pipeline's own prompts, request by request.

A recording proxy: it listens on 127.0.0.1, forwards every OpenAI-compatible request to
the upstream endpoint unchanged and writes one JSON line per chat completion — the task
(``X-GraphGen-Task`` header), the request's parameters and messages, the reply text and
its ``finish_reason`` — to the output file. Point the pipeline at the proxy and run it:

    python bench/capture_replies.py --upstream http://127.0.0.1:8766/v1 --port 8799 \\
        --model-name qwen2.5-coder-0.5b-instruct-q4_k_m \\
        --out tests/fixtures/real_replies/qwen2.5-coder-0.5b.jsonl &
    SYNTHESIZER_BASE_URL=http://127.0.0.1:8799/v1 TRAINEE_BASE_URL=http://127.0.0.1:8799/v1 \\
        graphgen-neo4j run --config configs/graphgen_config.yaml

The parser tests (``tests/llm/test_real_replies.py``) read those files; nothing in them
is edited by hand.
"""

from __future__ import annotations

import argparse
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

KEEP = ("temperature", "max_tokens", "top_p", "logprobs", "top_logprobs", "response_format", "seed")


class _Recorder:
    def __init__(self, out: Path, model_name: str):
        self.out = out
        self.model_name = model_name
        self.lock = threading.Lock()
        out.parent.mkdir(parents=True, exist_ok=True)

    def write(self, task: str, request: dict[str, Any], status: int, response: dict[str, Any]) -> None:
        choice = (response.get("choices") or [{}])[0]
        record = {
            "model": self.model_name,
            "task": task,
            "params": {k: request[k] for k in KEEP if k in request},
            "messages": request.get("messages", []),
            "status": status,
            "content": (choice.get("message") or {}).get("content"),
            "finish_reason": choice.get("finish_reason"),
            "error": response.get("error"),
        }
        if request.get("logprobs"):
            content = (choice.get("logprobs") or {}).get("content") or []
            record["top_logprobs"] = [
                [(c["token"], round(c["logprob"], 4)) for c in content[0].get("top_logprobs", [])]
            ] if content else []
        with self.lock, self.out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def make_handler(upstream: str, recorder: _Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _forward(self, body: bytes | None) -> tuple[int, bytes]:
            url = upstream + self.path.removeprefix("/v1")
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
            request = urllib.request.Request(url, data=body, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=3600) as reply:
                    return reply.status, reply.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read()

        def _answer(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(*self._forward(None))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, data = self._forward(body)
            if self.path.endswith("/chat/completions"):
                try:
                    recorder.write(self.headers.get("X-GraphGen-Task", "?"), json.loads(body), status, json.loads(data))
                except ValueError:
                    pass
            self._answer(status, data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:8766/v1")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--model-name", required=True, help="written into every record")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.upstream.rstrip("/"), _Recorder(args.out, args.model_name)))
    print(f"recording {args.upstream} at http://127.0.0.1:{args.port}/v1 into {args.out}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
