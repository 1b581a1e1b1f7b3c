/**
 * The gateway's consent start link (`/oauth/start/<id>`) driven over plain HTTP, as a browser does
 * it: open the link without following the redirect, keep the cookie it sets, and present that cookie
 * at the callback.
 */

/** The platform's consent URL the start link redirects to, and the `name=value` cookie it set. */
export interface OpenedStartLink {
  platformUrl: string;
  cookie: string;
}

/**
 * Opens `startUrl` (startConnection's `authorizeUrl`) with the `cookie` a browser would send.
 * @throws with the status and page when it does not redirect with a cookie
 */
export async function openStartLink(startUrl: string, cookie?: string): Promise<OpenedStartLink> {
  const res = await fetch(startUrl, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const location = res.headers.get('location');
  const setCookie = res.headers.get('set-cookie');
  if (res.status !== 302 || !location || !setCookie) throw new Error(`the start link answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return { platformUrl: location, cookie: setCookie.split(';')[0] };
}

/** Opens the gateway's callback URL with the flow's cookie (or none), as the browser does after the platform's redirect. */
export async function openCallback(url: string, cookie?: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} });
  return { status: res.status, html: await res.text(), headers: res.headers };
}
