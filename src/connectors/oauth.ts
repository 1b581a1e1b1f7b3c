/** What every OAuth-speaking connector shares. */

/**
 * The RFC 6749 §5.2 `error` and `error_description` of a token-endpoint answer (nulls when the
 * body is not such a document).
 */
export function oauthError(text: string): { error: string | null; description: string | null } {
  try {
    const v = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    return {
      error: typeof v.error === 'string' ? v.error : null,
      description: typeof v.error_description === 'string' ? v.error_description : null,
    };
  } catch {
    return { error: null, description: null };
  }
}
