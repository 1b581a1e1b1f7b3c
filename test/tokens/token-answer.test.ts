import { describe, expect, it } from 'vitest';
import { classifyTokenAnswer, describeTokenAnswer, oauthError } from '../../src/tokens/token-answer.js';

// What a token endpoint's answer means (RFC 6749 §5.1, §5.2), decided once for every platform.

const oauth = (error: string, error_description?: string) => JSON.stringify({ error, ...(error_description ? { error_description } : {}) });

describe('classifyTokenAnswer', () => {
  it.each([
    {
      name: '200: issued, whatever the body',
      res: { status: 200, text: '{"access_token":"a","token_type":"Bearer","expires_in":3600}' },
      want: { kind: 'issued', status: 200 },
    },
    {
      name: '400 invalid_grant: the grant is dead',
      res: { status: 400, text: oauth('invalid_grant', 'The refresh token is invalid.') },
      want: { kind: 'grant-refused', status: 400, error: 'invalid_grant', description: 'The refresh token is invalid.' },
    },
    {
      name: '401 invalid_client: the client is refused',
      res: { status: 401, text: oauth('invalid_client', 'Client authentication failed.') },
      want: { kind: 'client-refused', status: 401, error: 'invalid_client', description: 'Client authentication failed.' },
    },
    {
      name: '400 invalid_client (without the 401 RFC 6749 asks for)',
      res: { status: 400, text: oauth('invalid_client') },
      want: { kind: 'client-refused', status: 400, error: 'invalid_client', description: null },
    },
    {
      name: '400 unauthorized_client',
      res: { status: 400, text: oauth('unauthorized_client', 'The client may not use this grant type.') },
      want: { kind: 'client-refused', status: 400, error: 'unauthorized_client', description: 'The client may not use this grant type.' },
    },
    {
      name: '401 without an OAuth body',
      res: { status: 401, text: 'Unauthorized' },
      want: { kind: 'client-refused', status: 401, error: null, description: null },
    },
    {
      name: '429: transient',
      res: { status: 429, text: '' },
      want: { kind: 'transient', status: 429, error: null, description: null },
    },
    {
      name: '503 with an HTML page: transient',
      res: { status: 503, text: '<html><body>Service Unavailable</body></html>' },
      want: { kind: 'transient', status: 503, error: null, description: null },
    },
    {
      name: '500 with invalid_grant in the body: transient (a server error says nothing about the grant)',
      res: { status: 500, text: oauth('invalid_grant') },
      want: { kind: 'transient', status: 500, error: 'invalid_grant', description: null },
    },
    {
      name: '400 invalid_request: the request itself is wrong',
      res: { status: 400, text: oauth('invalid_request', 'grant_type is missing') },
      want: { kind: 'refused', status: 400, error: 'invalid_request', description: 'grant_type is missing' },
    },
    {
      name: '400 unsupported_grant_type',
      res: { status: 400, text: oauth('unsupported_grant_type') },
      want: { kind: 'refused', status: 400, error: 'unsupported_grant_type', description: null },
    },
    {
      name: '400 with a non-JSON body',
      res: { status: 400, text: 'Bad Request' },
      want: { kind: 'refused', status: 400, error: null, description: null },
    },
    {
      name: '403 with a JSON body that is not an OAuth error',
      res: { status: 403, text: '{"message":"Forbidden"}' },
      want: { kind: 'refused', status: 403, error: null, description: null },
    },
    {
      name: '302 (a login page redirect)',
      res: { status: 302, text: '' },
      want: { kind: 'refused', status: 302, error: null, description: null },
    },
  ])('$name', ({ res, want }) => {
    expect(classifyTokenAnswer(res)).toEqual(want);
  });
});

describe('oauthError', () => {
  it('reads error and error_description', () => {
    expect(oauthError(oauth('invalid_grant', 'expired'))).toEqual({ error: 'invalid_grant', description: 'expired' });
  });

  it.each(['', 'not json', 'null', '[]', '"invalid_grant"', '{"error":5,"error_description":["x"]}', '{"errors":[{"code":"invalid_grant"}]}'])(
    'is all null for %j',
    (text) => {
      expect(oauthError(text)).toEqual({ error: null, description: null });
    },
  );
});

describe('describeTokenAnswer', () => {
  it('says the error and its description, or the HTTP status', () => {
    expect(describeTokenAnswer(classifyTokenAnswer({ status: 400, text: oauth('invalid_grant', 'the code has expired') }))).toBe(
      'invalid_grant: the code has expired',
    );
    expect(describeTokenAnswer(classifyTokenAnswer({ status: 401, text: oauth('invalid_client') }))).toBe('invalid_client');
    expect(describeTokenAnswer(classifyTokenAnswer({ status: 503, text: 'down' }))).toBe('HTTP 503');
    expect(describeTokenAnswer(classifyTokenAnswer({ status: 200, text: '{}' }))).toBe('HTTP 200');
  });

  it('keeps at most 200 characters of the description', () => {
    const long = 'x'.repeat(500);
    expect(describeTokenAnswer(classifyTokenAnswer({ status: 400, text: oauth('invalid_request', long) }))).toBe(`invalid_request: ${'x'.repeat(200)}`);
  });
});
