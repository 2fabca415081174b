// Talks to the analysis engine. The engine bundle (wasm inlined) runs in two places:
//  - a Web Worker started from a Blob URL of the bundle (works from file:// and any static server),
//  - the page itself (the same bundle in a <script>), called directly.
// `auto` (the default) analyses on the page while an analysis takes less than about half a frame,
// so diagnostics reach the screen in the keystroke's own frame (a worker's reply lands a frame
// later: Chromium renders the keystroke first), and moves to the worker when analyses get slow,
// so typing never waits for them. Comparisons, routes, splitting and the parse tree always run in
// the worker (on the page only when there is no worker).
// `?engine=worker` or `?engine=page` in the URL pins one.

import WORKER_SOURCE from "worker-source";
import type { FormatResult, RouteRequest, SourceFile } from "./api";
import type { Engine } from "./worker";
import type {
  AnalyzeResponse,
  CompareResponse,
  InitResponse,
  ParseResponse,
  PlaygroundOptions,
  Request,
  Response,
  RouteResponse,
  SplitResponse,
} from "./worker-protocol";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Body<K> = K extends Request ? Omit<K, "id"> : never;
export type EngineChoice = "auto" | "worker" | "page";
export type Where = "worker" | "page";

/** While recent analyses take longer than this (ms) they go to the worker; under SLOW / 2 they come
 * back to the page. */
const SLOW = 8;

export class EngineClient {
  readonly choice: EngineChoice;
  /** Where the last analysis ran. */
  last: Where = "worker";
  private worker: Worker | null = null;
  private local: Engine | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private sent = new Map<number, Request>();
  private slow = false;
  private recent: number[] = [];

  constructor(choice: string | null) {
    this.choice = choice === "worker" || choice === "page" ? choice : "auto";
    if (this.choice !== "page") this.startWorker();
    if (this.choice !== "worker" || !this.worker) this.startLocal(this.choice === "page" ? "asked for by ?engine=page" : "");
  }

  /** Which engines run: for the status bar and tests. */
  get engines(): Where[] {
    return [...(this.worker ? ["worker" as const] : []), ...(this.local ? ["page" as const] : [])];
  }

  private startWorker() {
    try {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
      const w = new Worker(url);
      w.onmessage = (e: MessageEvent<Response>) => this.settle(e.data);
      w.onerror = (e) => {
        // The worker could not start (or died): the page does its work from now on.
        e.preventDefault();
        this.loseWorker(`worker failed: ${e.message || "unknown error"}`);
      };
      this.worker = w;
    } catch (e) {
      this.loseWorker(String(e));
    }
  }

  private startLocal(why: string) {
    if (this.local) return;
    if (why) console.info(`ngxlint: analysing on the page (${why})`);
    const script = document.createElement("script");
    script.textContent = WORKER_SOURCE;
    document.head.appendChild(script);
    script.remove();
    this.local = (globalThis as unknown as { __ngxlintEngine: Engine }).__ngxlintEngine;
  }

  private loseWorker(why: string) {
    this.worker?.terminate();
    this.worker = null;
    this.startLocal(why);
    // Requests the worker did not answer are sent again here.
    for (const [, req] of this.sent) void this.local!.handle(req).then((r) => this.settle(r));
  }

  private settle(r: Response) {
    const p = this.pending.get(r.id);
    this.sent.delete(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.value);
    else p.reject(new Error(r.error));
  }

  private send<T>(body: Body<Request>, where: Where): Promise<T> {
    const req = { ...body, id: this.nextId++ } as Request;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req.id, { resolve: resolve as (v: unknown) => void, reject });
      this.sent.set(req.id, req);
      if (where === "worker" && this.worker) this.worker.postMessage(req);
      else void this.local!.handle(req).then((r) => this.settle(r));
    });
  }

  private pick(preferWorker: boolean): Where {
    if (!this.worker) return "page";
    if (!this.local) return "worker";
    return preferWorker || this.slow ? "worker" : "page";
  }

  async init(): Promise<InitResponse> {
    // Start every engine now (compiling the wasm), and check they answer.
    const all = this.engines.map((w) => this.send<InitResponse>({ kind: "init" }, w));
    const [first] = await Promise.all(all);
    return first;
  }

  async analyze(files: SourceFile[], options: PlaygroundOptions): Promise<AnalyzeResponse> {
    const where = this.pick(false);
    const res = await this.send<AnalyzeResponse>({ kind: "analyze", files, options }, where);
    this.last = where;
    // Decide on the median of the last few analyses, so one hiccup does not move the work.
    this.recent.push(res.ms);
    if (this.recent.length > 5) this.recent.shift();
    const median = [...this.recent].sort((a, b) => a - b)[this.recent.length >> 1];
    if (median > SLOW) this.slow = true;
    else if (median < SLOW / 2) this.slow = false;
    return res;
  }

  compare(before: SourceFile[], after: SourceFile[], options: PlaygroundOptions): Promise<CompareResponse> {
    return this.send({ kind: "compare", before, after, options }, this.pick(true));
  }

  route(files: SourceFile[], request: RouteRequest, options: PlaygroundOptions): Promise<RouteResponse> {
    return this.send({ kind: "route", files, request, options }, this.pick(true));
  }

  split(text: string): Promise<SplitResponse> {
    return this.send({ kind: "split", text }, this.pick(true));
  }

  parse(text: string, options: PlaygroundOptions): Promise<ParseResponse> {
    return this.send({ kind: "parse", text, options }, this.pick(true));
  }

  format(text: string): Promise<FormatResult> {
    return this.send({ kind: "format", text }, this.pick(true));
  }
}
