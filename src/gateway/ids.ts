import { isProvider, type Provider } from '../connectors/platforms.js';

/** The node types a global ID can name. */
export type NodeType = 'Organization' | 'Service' | 'Customer' | 'Booking' | 'ProviderConnection' | 'WebhookSubscription';
const NODE_TYPES: readonly NodeType[] = ['Organization', 'Service', 'Customer', 'Booking', 'ProviderConnection', 'WebhookSubscription'];

export interface GlobalId {
  type: NodeType;
  provider: Provider;
  connectionId: string;
  /** The connector's ref (empty for a ProviderConnection). */
  ref: string;
}

/**
 * Relay global IDs: opaque base64url of `["bg1", type, provider, connectionId, ref]`. They carry
 * the connection, so `node(id:)` knows which connector to ask — and checks the connection belongs
 * to the caller's tenant first.
 */
export function encodeId(id: GlobalId): string {
  return Buffer.from(JSON.stringify(['bg1', id.type, id.provider, id.connectionId, id.ref]), 'utf8').toString('base64url');
}

/** Decodes a global ID; null when it is not one of ours (malformed, unknown type or provider). */
export function decodeId(value: string): GlobalId | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2_048 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  try {
    const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== 5 || parts[0] !== 'bg1') return null;
    const [, type, provider, connectionId, ref] = parts as string[];
    if (!NODE_TYPES.includes(type as NodeType) || !isProvider(provider)) return null;
    if (typeof connectionId !== 'string' || typeof ref !== 'string') return null;
    return { type: type as NodeType, provider, connectionId, ref };
  } catch {
    return null;
  }
}
