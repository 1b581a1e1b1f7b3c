import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Clock } from './clock.js';
import { Faults } from './faults.js';
import { todayUtc } from './seed.js';
import { Stats } from './stats.js';
import {
  ControlError,
  type EmulatorOptions,
  type EmuRequest,
  type EmuResponse,
  type Platform,
  type PlatformEmulator,
  type PlatformFactory,
  type Route,
} from './types.js';
import { WebhookDispatcher } from './webhooks.js';

export interface RunningEmulator {
  platform: Platform;
  baseUrl: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;
const TICK_MS = 1_000;

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${pattern}$`), names };
}

function parseMediaType(header: string | undefined): { type: string | null; params: Record<string, string> } {
  if (!header) return { type: null, params: {} };
  const [type, ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const [k, v] = p.split('=');
    if (k && v !== undefined) params[k.trim().toLowerCase()] = v.trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase() || null, params };
}

function buildRequest(req: IncomingMessage, url: URL, rawBody: Buffer): EmuRequest {
  const media = parseMediaType(req.headers['content-type']);
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    params: {},
    rawBody,
    mediaType: media.type,
    mediaTypeParams: media.params,
    bearer() {
      const h = req.headers.authorization;
      const m = h ? /^bearer\s+(\S+)\s*$/i.exec(h) : null;
      return m ? m[1] : null;
    },
    basic() {
      const h = req.headers.authorization;
      const m = h ? /^basic\s+(\S+)\s*$/i.exec(h) : null;
      if (!m) return null;
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return null;
      try {
        return { username: decodeURIComponent(decoded.slice(0, i)), password: decodeURIComponent(decoded.slice(i + 1)) };
      } catch {
        return null; // a malformed %-sequence counts as no credentials
      }
    },
    json() {
      if (rawBody.length === 0) return { ok: true, value: undefined };
      try {
        return { ok: true, value: JSON.parse(rawBody.toString('utf8')) };
      } catch {
        return { ok: false };
      }
    },
    async form() {
      if (media.type === 'application/x-www-form-urlencoded') return new URLSearchParams(rawBody.toString('utf8'));
      if (media.type === 'multipart/form-data') {
        const fd = await new Response(new Uint8Array(rawBody), {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData();
        const out = new URLSearchParams();
        for (const [k, v] of fd.entries()) if (typeof v === 'string') out.append(k, v);
        return out;
      }
      return new URLSearchParams();
    },
  };
}

/** Reads `grant_type` from a token request body of any accepted encoding (for stats). */
async function grantTypeOf(req: EmuRequest): Promise<string | null> {
  if (req.mediaType === 'application/json') {
    const parsed = req.json();
    if (parsed.ok && parsed.value && typeof parsed.value === 'object') {
      const g = (parsed.value as Record<string, unknown>).grant_type;
      return typeof g === 'string' ? g : null;
    }
    return null;
  }
  try {
    return (await req.form()).get('grant_type');
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts one platform emulator on 127.0.0.1 with the shared behaviour of README §1–§9: routing
 * (404/405), the `/__sandbox/` control API, stats, faults, latency, the clock and its background
 * tick, and webhook retries.
 */
export async function runEmulator(platform: Platform, factory: PlatformFactory, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = new Clock();
  const faults = new Faults();
  let baseUrl = '';
  // Stats need the grant types, which the platform declares; build with a placeholder and fix below.
  const stats = new Stats([]);
  const webhooks = new WebhookDispatcher(clock, stats, options.webhookTimeoutMs ?? 10_000);
  const emulator: PlatformEmulator = factory({
    platform,
    clock,
    stats,
    webhooks,
    options: {
      anchorDate: options.anchorDate ?? todayUtc(),
      redirectUris: options.redirectUris ?? [],
      rateLimits: options.rateLimits ?? true,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    },
    baseUrl: () => baseUrl,
  });
  (stats as unknown as { grantTypes: string[] }).grantTypes = emulator.grantTypes;
  stats.reset();
  const routes = emulator.routes.map(compile);
  const hung = new Set<Socket>();
  const sockets = new Set<Socket>();

  let ticking: Promise<void> = Promise.resolve();
  /** Runs due work in order; concurrent callers queue behind each other. */
  const runDue = () => {
    ticking = ticking.then(async () => {
      const now = clock.now();
      await emulator.tick?.(now);
      await webhooks.runDue(now);
    });
    return ticking.catch(() => undefined);
  };
  const timer = setInterval(() => void runDue(), TICK_MS);
  timer.unref();

  function send(res: ServerResponse, out: EmuResponse, countable: boolean) {
    if (countable) stats.countStatus(out.status);
    const headers: Record<string, string> = { date: clock.nowDate().toUTCString(), ...out.headers };
    let payload: string | Buffer = '';
    if (out.raw !== undefined) {
      payload = out.raw;
      if (out.contentType) headers['content-type'] = out.contentType;
    } else if (out.body !== undefined) {
      payload = JSON.stringify(out.body);
      headers['content-type'] = out.contentType ?? emulator.mediaType;
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(out.status, headers);
    res.end(payload);
    if (out.after) res.on('finish', () => setImmediate(out.after as () => void));
  }

  async function control(req: EmuRequest): Promise<EmuResponse> {
    const json = (status: number, body: unknown): EmuResponse => ({ status, body, contentType: 'application/json; charset=utf-8' });
    const bodyObj = () => {
      const parsed = req.json();
      if (!parsed.ok) throw new ControlError(400, 'malformed JSON');
      const v = parsed.value ?? {};
      if (typeof v !== 'object' || Array.isArray(v)) throw new ControlError(400, 'body must be a JSON object');
      return v as Record<string, unknown>;
    };
    const key = `${req.method} ${req.path}`;
    try {
      switch (key) {
        case 'GET /__sandbox/credentials':
          return json(200, emulator.credentials());
        case 'GET /__sandbox/stats':
          return json(200, stats.toJSON());
        case 'POST /__sandbox/stats/reset':
          stats.reset();
          return json(200, stats.toJSON());
        case 'GET /__sandbox/clock':
          return json(200, { now: clock.nowDate().toISOString() });
        case 'POST /__sandbox/clock': {
          const b = bodyObj();
          const n = b.advanceSeconds;
          if (!Number.isInteger(n) || (n as number) < 0) throw new ControlError(400, 'advanceSeconds must be an integer >= 0');
          clock.advance(n as number);
          await runDue();
          return json(200, { now: clock.nowDate().toISOString() });
        }
        case 'POST /__sandbox/faults': {
          const added = faults.add(bodyObj());
          if ('error' in added) throw new ControlError(400, added.error);
          return json(201, added);
        }
        case 'DELETE /__sandbox/faults': {
          const cleared = faults.clear();
          for (const s of hung) s.destroy();
          hung.clear();
          return json(200, { cleared });
        }
        case 'POST /__sandbox/latency': {
          const ms = bodyObj().ms;
          if (!Number.isInteger(ms) || (ms as number) < 0) throw new ControlError(400, 'ms must be an integer >= 0');
          faults.latencyMs = ms as number;
          return json(200, { ms });
        }
        case 'POST /__sandbox/revoke-all':
          return json(200, { revoked: emulator.revokeAll() });
        case 'POST /__sandbox/events': {
          const b = bodyObj();
          if (typeof b.type !== 'string') throw new ControlError(400, 'type is required');
          if (b.bookingId !== undefined && typeof b.bookingId !== 'string') throw new ControlError(400, 'bookingId must be a string');
          const result = await emulator.event(b.type, b.bookingId as string | undefined);
          return json(200, { type: b.type, ...result });
        }
        case 'POST /__sandbox/reset':
          emulator.reset();
          faults.reset();
          for (const s of hung) s.destroy();
          hung.clear();
          clock.reset();
          stats.reset();
          webhooks.clear();
          return json(200, { ok: true });
      }
      if (emulator.webhookAdmin) {
        if (key === 'GET /__sandbox/webhooks') return json(200, emulator.webhookAdmin.list());
        if (key === 'POST /__sandbox/webhooks') return json(201, emulator.webhookAdmin.create(bodyObj()));
        const m = /^DELETE \/__sandbox\/webhooks\/([^/]+)$/.exec(key);
        if (m) {
          if (!emulator.webhookAdmin.remove(decodeURIComponent(m[1]))) throw new ControlError(404, 'not found');
          return json(200, { deleted: true });
        }
      }
      return json(404, { error: 'not found' });
    } catch (err) {
      if (err instanceof ControlError) return json(err.status, { error: err.message });
      throw err;
    }
  }

  async function platformRequest(req: EmuRequest, res: ServerResponse) {
    const fault = faults.take(req.path);
    const matched = routes.filter((r) => r.regex.test(req.path));
    const route = matched.find((r) => r.method === req.method);
    const kind = route?.kind ?? 'api';
    if (kind === 'token') stats.countGrant(await grantTypeOf(req));
    else if (kind === 'revoke') stats.revoke++;
    // Unknown paths are not platform routes and are not counted (unless a fault hit them).
    else if (kind === 'api' && (matched.length > 0 || fault)) stats.api++;
    const countable = kind !== 'consent';

    const delay = faults.latencyMs + (fault?.latencyMs ?? 0);
    if (delay > 0) await sleep(delay);
    if (fault?.mode === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (fault?.mode === 'hang') {
      if (res.socket) hung.add(res.socket);
      return;
    }
    if (fault?.mode === 'malformed') {
      const status = fault.status ?? 200;
      stats.countStatus(status);
      res.writeHead(status, { 'content-type': emulator.mediaType, date: clock.nowDate().toUTCString() });
      res.end('{"data":[{"id":"1","attr');
      return;
    }
    if (fault?.status !== undefined) {
      const out = emulator.errorResponse(fault.status, 'Injected fault');
      if (fault.retryAfterSeconds !== undefined) out.headers = { ...out.headers, 'retry-after': String(fault.retryAfterSeconds) };
      send(res, out, true);
      return;
    }
    if (!route) {
      if (matched.length > 0) {
        const allow = [...new Set(matched.map((r) => r.method))].join(', ');
        const out = emulator.errorResponse(405, 'Method Not Allowed');
        out.headers = { ...out.headers, allow };
        send(res, out, true);
      } else {
        send(res, emulator.errorResponse(404, 'Not Found'), true);
      }
      return;
    }
    const m = route.regex.exec(req.path) as RegExpExecArray;
    route.names.forEach((name, i) => {
      req.params[name] = decodeURIComponent(m[i + 1]);
    });
    if (kind === 'api') {
      const limited = emulator.rateLimit?.(req);
      if (limited) {
        send(res, limited, true);
        return;
      }
    }
    send(res, await route.handler(req), countable);
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      if (raw === null) {
        send(res, emulator.errorResponse(413, 'Payload Too Large'), false);
        return;
      }
      const emuReq = buildRequest(req, url, raw);
      if (url.pathname.startsWith('/__sandbox/')) {
        send(res, await control(emuReq), false);
        return;
      }
      await platformRequest(emuReq, res);
    } catch (err) {
      console.error(`[${platform}-emulator]`, err);
      if (!res.headersSent) send(res, emulator.errorResponse(500, 'Internal server error'), false);
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      hung.delete(s);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator did not bind');
  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    platform,
    baseUrl,
    async close() {
      clearInterval(timer);
      webhooks.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
