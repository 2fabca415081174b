// Talks to the analysis engine: a Web Worker started from a Blob URL holding the engine bundle
// (works from file:// and from any static server, with no extra file), or, if the browser refuses
// that, the same bundle evaluated on the page.

import WORKER_SOURCE from "worker-source";
import type { FormatResult } from "./api";
import type { Engine } from "./worker";
import type { AnalyzeResponse, InitResponse, PlaygroundOptions, Request, Response } from "./worker-protocol";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Body<K> = K extends Request ? Omit<K, "id"> : never;

export class EngineClient {
  mode: "worker" | "main thread" = "worker";
  private worker: Worker | null = null;
  private local: Engine | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor() {
    try {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
      const w = new Worker(url);
      w.onmessage = (e: MessageEvent<Response>) => this.settle(e.data);
      w.onerror = (e) => {
        // The worker could not start (or died): run on the page from now on.
        e.preventDefault();
        this.fallBack(`worker failed: ${e.message || "unknown error"}`);
      };
      this.worker = w;
    } catch (e) {
      this.fallBack(String(e));
    }
  }

  private fallBack(why: string) {
    if (this.local) return;
    console.info(`ngxlint: analysing on the page (${why})`);
    this.worker?.terminate();
    this.worker = null;
    this.mode = "main thread";
    const script = document.createElement("script");
    script.textContent = WORKER_SOURCE;
    document.head.appendChild(script);
    this.local = (globalThis as unknown as { __ngxlintEngine: Engine }).__ngxlintEngine;
    // Requests sent to the dead worker are sent again here.
    const waiting = [...this.pending.keys()];
    for (const id of waiting) {
      const req = this.sent.get(id);
      if (req) void this.local.handle(req).then((r) => this.settle(r));
    }
  }

  private sent = new Map<number, Request>();

  private settle(r: Response) {
    const p = this.pending.get(r.id);
    this.sent.delete(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.value);
    else p.reject(new Error(r.error));
  }

  private send<T>(body: Body<Request>): Promise<T> {
    const req = { ...body, id: this.nextId++ } as Request;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req.id, { resolve: resolve as (v: unknown) => void, reject });
      this.sent.set(req.id, req);
      if (this.worker) this.worker.postMessage(req);
      else void this.local!.handle(req).then((r) => this.settle(r));
    });
  }

  init(): Promise<InitResponse> {
    return this.send({ kind: "init" });
  }
  analyze(text: string, options: PlaygroundOptions, wantParse: boolean): Promise<AnalyzeResponse> {
    return this.send({ kind: "analyze", text, options, wantParse });
  }
  format(text: string): Promise<FormatResult> {
    return this.send({ kind: "format", text });
  }
}
