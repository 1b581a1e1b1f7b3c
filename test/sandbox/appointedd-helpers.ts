import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { type EmulatorOptions, startEmulator } from '../../src/sandbox/index.js';

/** Shared helpers of the Appointedd emulator tests (HTTP only, like a connector). */

export const ALL_CLIENT = { id: 'f3d7dc47ead1d93947855cf2', secret: 'UruRblt0GStVVMs0tYFMgfnu7HFJIhAn2V0muhBCBj3WgkV0' };
export const SPECIFIC_CLIENT = { id: 'f3d8d1e6401e3742fd041720', secret: 'sZ3vRBTjSIeZCAjQFuZADKOqrEdi258ZBZNLsuG5t51RKZ1k' };
export const GLASGOW = '83861be437a9798f2e10b49e';
export const TORONTO = '20fad5e5f4c7b2f1c7b0f924';
export const JSONAPI = 'application/vnd.api+json';
export const API_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
export const OBJECT_ID = /^[0-9a-f]{24}$/;

export interface Emu {
  base: string;
  close(): Promise<void>;
}

export async function startAppointedd(options: EmulatorOptions = {}): Promise<Emu> {
  const e = await startEmulator('appointedd', options);
  return { base: e.baseUrl, close: e.close };
}

export async function control(base: string, path: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${base}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Gets an access token with a JSON body (client auth in the body). */
export async function getToken(base: string, client = ALL_CLIENT, expiresIn?: number): Promise<string> {
  const body: Record<string, unknown> = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
  if (expiresIn !== undefined) body.expires_in = expiresIn;
  const res = await fetch(`${base}/v2/oauth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A parsed JSON:API document or member, read loosely by the tests. */
export type Doc = Record<string, any>;

/** An authenticated JSON:API call; `body` is sent as `application/vnd.api+json`. */
export async function call(
  base: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown; contentType?: string; raw?: string } = {},
): Promise<{ status: number; headers: Headers; doc: Doc }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: JSONAPI };
  let body: string | undefined;
  if (init.body !== undefined || init.raw !== undefined) {
    headers['content-type'] = init.contentType ?? JSONAPI;
    body = init.raw ?? JSON.stringify(init.body);
  }
  const res = await fetch(`${base}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, doc: text ? JSON.parse(text) : {} };
}

/** Every page of a collection, following `links.next`. */
export async function allPages(base: string, token: string, path: string): Promise<Doc[]> {
  const out: Doc[] = [];
  let url: string | null = `${base}${path}`;
  while (url) {
    const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    out.push(...doc.data);
    url = doc.links.next;
  }
  return out;
}

const schema = JSON.parse(readFileSync(new URL('../fixtures/jsonapi-1.0.schema.json', import.meta.url), 'utf8'));
// Both packages are CommonJS with a `default` property on `module.exports` (NodeNext types see only that).
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** Asserts that `doc` is a valid JSON:API 1.0 response document (official schema). */
export function expectJsonApi(doc: unknown): void {
  const ok = validate(doc);
  expect(ok ? [] : validate.errors).toEqual([]);
}

/** Asserts the §5 error document shape and returns the first error. */
export function expectError(r: { status: number; headers: Headers; doc: Doc }, status: number, code: string): Doc {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toBe(JSONAPI);
  expectJsonApi(r.doc);
  expect(r.doc.errors).toHaveLength(1);
  expect(r.doc.errors[0]).toMatchObject({ status: String(status), code });
  expect(typeof r.doc.errors[0].title).toBe('string');
  expect(typeof r.doc.errors[0].detail).toBe('string');
  return r.doc.errors[0];
}
