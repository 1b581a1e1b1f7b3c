import { ProviderError } from './errors.js';

/** One page of a platform listing: its items and the cursor of the next page (null at the end). */
export interface PlatformPage<T, Cursor> {
  items: T[];
  next: Cursor | null;
}

/**
 * How many pages one listing may follow before it gives up: at the platforms' page sizes (25 to 100)
 * that is 5,000 to 20,000 records, beyond any organization the gateway serves in one request.
 */
export const MAX_PAGES_PER_LISTING = 200;

/**
 * Follows a platform listing to its end, one page after the other (each page names the next):
 * the one paging loop every connector uses. Bounded: past `maxPages` it throws PROVIDER_ERROR
 * rather than loop on a platform that keeps answering a next page.
 */
export async function collectPages<T, Cursor>(
  provider: string,
  operation: string,
  fetchPage: (cursor: Cursor | null) => Promise<PlatformPage<T, Cursor>>,
  maxPages: number = MAX_PAGES_PER_LISTING,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: Cursor | null = null;
  for (let pages = 0; ; pages++) {
    if (pages === maxPages) {
      throw new ProviderError(provider, operation, 'PROVIDER_ERROR', `${provider} kept answering more pages of ${operation} after ${maxPages}`);
    }
    const page: PlatformPage<T, Cursor> = await fetchPage(cursor);
    out.push(...page.items);
    if (page.next === null || page.next === cursor) return out;
    cursor = page.next;
  }
}
