/**
 * The Host header check that stops DNS rebinding: a web page the user visits can make its own domain
 * resolve to 127.0.0.1 and then call a local server, but the browser still sends that domain as `Host`.
 * By default a server answers only Host values naming the address it is bound to: the localhost names
 * (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`), the literal `--host` it listens on, and, when it
 * listens on every interface (`0.0.0.0`, `::`), any IP literal (an IP address cannot be rebound). Other
 * names are allowed with `--allowed-hosts name,…` (`*` allows any). A request without a Host header
 * (HTTP/1.0, a test's Request object) is not a browser's and passes.
 */
export type AllowedHosts = readonly string[] | '*';

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_ADDRESSES = ['0.0.0.0', '::', ''];

/** The host of a Host header value, lower-case, without port, brackets or a trailing dot. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  const name = value.startsWith('[') ? value.slice(1, value.indexOf(']') >>> 0) : value.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || (name.includes(':') && /^[0-9a-f:.]+$/.test(name));
}

/** The names a server bound to `bound` answers by default, plus `extra`. */
export function defaultAllowedHosts(bound: string, extra: readonly string[] = []): AllowedHosts {
  if (extra.includes('*')) return '*';
  const self = hostName(bound.includes(':') && !bound.startsWith('[') ? `[${bound}]` : bound);
  return [...new Set([...LOCAL_NAMES, ...(WILDCARD_ADDRESSES.includes(self) ? ['*ip'] : [self]), ...extra.map(hostName)])];
}

/** True when a request whose Host header is `header` may be answered. */
export function isAllowedHost(header: string | null, allowed: AllowedHosts): boolean {
  if (allowed === '*' || header === null) return true;
  const name = hostName(header);
  if (name.endsWith('.localhost')) return true;
  return allowed.includes(name) || (allowed.includes('*ip') && isIpLiteral(name));
}
