/**
 * Which `Host` header values the gateway answers (a defence against DNS rebinding: a page on
 * attacker.example whose name is made to point at 127.0.0.1 reaches the gateway with
 * `Host: attacker.example`, and must not get GraphiQL with the demo key, nor the API).
 */
export interface HostPolicy {
  /** Host names (lowercase, IPv6 in brackets) answered on any port. */
  names: ReadonlySet<string>;
  /** `ALLOWED_HOSTS=*`: every Host is answered (pages with the demo key still only on `names`). */
  any: boolean;
}

/** Loopback names, answered on any port. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** Bind addresses that are not a name a client uses. */
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The policy of a gateway: the loopback names, the host of `publicUrl` and of each of
 * `extraOrigins` (the sandbox's redirect origins), the bind address when it is a specific one,
 * and `allowedHosts` (`'*'` = any Host).
 */
export function hostPolicy(opts: {
  publicUrl: string | null;
  bindHost: string;
  extraOrigins?: readonly string[];
  allowedHosts?: readonly string[];
}): HostPolicy {
  const names = new Set<string>(LOOPBACK_HOSTS);
  for (const origin of [opts.publicUrl, ...(opts.extraOrigins ?? [])]) {
    if (origin) names.add(new URL(origin).hostname.toLowerCase());
  }
  const bind = opts.bindHost.toLowerCase();
  if (!WILDCARD_BINDS.has(bind)) names.add(bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind);
  let any = false;
  for (const h of opts.allowedHosts ?? []) {
    if (h === '*') any = true;
    else names.add(h.toLowerCase());
  }
  return { names, any };
}

/**
 * The host name of a `Host` header (lowercase, without the port, IPv6 in brackets), or null when
 * there is none or it is not a valid `host[:port]` (RFC 9110 §7.2).
 */
export function hostnameOf(header: string | undefined): string | null {
  if (!header || header.length > 255 || /[\s/?#@\\]/.test(header)) return null;
  try {
    const u = new URL(`http://${header}`);
    return u.hostname ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** True when `header` names one of the policy's hosts (what pages with the demo key need). */
export function isListedHost(policy: HostPolicy, header: string | undefined): boolean {
  const name = hostnameOf(header);
  return name !== null && policy.names.has(name);
}

/** True when the gateway answers a request with this `Host` header. */
export function isAllowedHost(policy: HostPolicy, header: string | undefined): boolean {
  return policy.any || isListedHost(policy, header);
}

/**
 * Routes answered whatever the Host: `/healthz` and `/readyz` (probes address instances by IP) and
 * `/webhooks/…` (platforms call the receiver at the public name, and verify their own signatures).
 */
export function isHostExempt(pathname: string): boolean {
  return pathname === '/healthz' || pathname === '/readyz' || pathname.startsWith('/webhooks/');
}
