/**
 * The mock provider: routes a request to the OpenAI or Anthropic handler,
 * applies faults, and logs what it served. Transport-free: the HTTP server and
 * the in-process fetch both call `handle`.
 */
import { message, anthropicError } from './anthropic.js';
import { delay, FaultRules, parseFault, type Fault } from './faults.js';
import { chatCompletion, embeddings, openaiError, response, type Served } from './openai.js';
import { json } from './sse.js';
import type { DisjointUsage, FaultRule, MockRequest, MockResponse, Provider, ServedRequest } from './types.js';
import { parseForcedUsage, reportedDisjoint, ruleUsage } from './usage.js';

const ROUTES: Record<string, { provider: Provider; kind: 'chat' | 'responses' | 'embeddings' | 'messages' }> = {
  '/v1/chat/completions': { provider: 'openai', kind: 'chat' },
  '/v1/responses': { provider: 'openai', kind: 'responses' },
  '/v1/embeddings': { provider: 'openai', kind: 'embeddings' },
  '/v1/messages': { provider: 'anthropic', kind: 'messages' },
};

export interface MockLogOptions {
  /** Most served requests kept for `requests()` (the oldest are dropped beyond): a long-running demo stays bounded. Default 10,000. */
  maxLoggedRequests?: number;
}

export class MockLlm {
  readonly faults = new FaultRules();
  private _log: ServedRequest[] = [];
  private _seq = 0;
  private readonly _maxLogged: number;

  constructor(options: MockLogOptions = {}) {
    this._maxLogged = Math.max(1, options.maxLoggedRequests ?? 10_000);
  }

  requests(): ServedRequest[] {
    return this._log.slice(-this._maxLogged);
  }

  clearRequests(): void {
    this._log = [];
  }

  async handle(req: MockRequest): Promise<MockResponse> {
    const path = req.path.split('?')[0] ?? req.path;
    if (path.startsWith('/_mock/')) return this._control(req, path);
    if (req.method === 'GET' && path === '/v1/models') {
      return json(200, { object: 'list', data: [{ id: 'gpt-4.1-mini', object: 'model', created: 0, owned_by: 'mock' }] });
    }
    const route = ROUTES[path];
    if (route === undefined || req.method !== 'POST') return json(404, { error: { message: `mock: no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    if (req.body === null || typeof req.body !== 'object') return this._badRequest(route.provider, 'request body must be a JSON object');
    const body = req.body as Record<string, unknown>;
    if (typeof body.model !== 'string') return this._badRequest(route.provider, 'model is required');
    const seq = ++this._seq;
    const stream = body.stream === true;
    const entry: ServedRequest = { seq, time: new Date().toISOString(), provider: route.provider, path, model: body.model, stream, status: 200 };

    let fault: Fault | undefined;
    const faultText = req.headers['x-mock-fault'] ?? this.faults.take(route.provider, path, body.model);
    let usage: DisjointUsage;
    try {
      if (faultText !== undefined) fault = parseFault(faultText);
      const forced = req.headers['x-mock-usage'];
      const maxTokens = num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens);
      usage = forced !== undefined ? parseForcedUsage(forced) : ruleUsage(route.provider, body, maxTokens);
    } catch (error) {
      return this._badRequest(route.provider, (error as Error).message);
    }
    if (faultText !== undefined) entry.fault = faultText;
    this._log.push(entry);
    // Trim in one splice once the log holds twice the cap: amortised O(1) per request.
    if (this._log.length >= 2 * this._maxLogged) this._log.splice(0, this._log.length - this._maxLogged);

    if (fault?.kind === 'timeout') {
      entry.status = 0;
      await new Promise<void>((resolve) => req.signal.addEventListener('abort', () => resolve(), { once: true }));
      return json(504, { error: { message: 'mock: timed out' } });
    }
    if (fault?.kind === 'slow') await delay(fault.millis, req.signal);
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      return route.provider === 'openai' ? openaiError(fault.status) : anthropicError(fault.status);
    }
    const dropAfter = fault?.kind === 'drop-stream' ? fault.after : undefined;
    let served: Served;
    switch (route.kind) {
      case 'chat':
        served = chatCompletion(seq, body, usage, dropAfter);
        break;
      case 'responses':
        served = response(seq, body, usage, dropAfter);
        break;
      case 'embeddings':
        served = embeddings(body, { input: usage.input + usage.cache_read + usage.cache_write, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 });
        break;
      default:
        served = message(seq, body, usage, dropAfter);
    }
    if (served.wireUsage !== undefined) {
      entry.wireUsage = served.wireUsage;
      entry.usage =
        route.kind === 'embeddings'
          ? { input: Number(served.wireUsage.prompt_tokens), output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }
          : reportedDisjoint(route.provider, usage);
    }
    return served.response;
  }

  private _badRequest(provider: Provider, message: string): MockResponse {
    return provider === 'openai'
      ? json(400, { error: { message, type: 'invalid_request_error', param: null, code: null } })
      : json(400, { type: 'error', error: { type: 'invalid_request_error', message } });
  }

  private _control(req: MockRequest, path: string): MockResponse {
    if (path === '/_mock/requests') {
      if (req.method === 'GET') return json(200, { requests: this.requests() });
      if (req.method === 'DELETE') {
        this.clearRequests();
        return json(200, { cleared: true });
      }
    }
    if (path === '/_mock/faults') {
      if (req.method === 'GET') return json(200, { rules: this.faults.list() });
      if (req.method === 'DELETE') {
        this.faults.clear();
        return json(200, { cleared: true });
      }
      if (req.method === 'POST') {
        const rules = (req.body as { rules?: unknown } | null)?.rules ?? req.body;
        if (!Array.isArray(rules)) return json(400, { error: { message: 'body must be a list of fault rules or {"rules":[…]}' } });
        try {
          this.faults.set(rules as FaultRule[]);
        } catch (error) {
          return json(400, { error: { message: (error as Error).message } });
        }
        return json(200, { rules: this.faults.list() });
      }
    }
    return json(404, { error: { message: `mock: no control route ${req.method} ${path}` } });
  }
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
