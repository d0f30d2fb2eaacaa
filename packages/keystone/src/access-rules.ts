import type { TokenInfo } from './token-info.js';

/**
 * keystonemiddleware's path templates: `{name}` and `*` match one path segment, `**` any number of
 * them, everything else itself.
 */
export function pathMatches(path: string, template: string): boolean {
  let re = '';
  for (const m of template.matchAll(/(\{[^}]*\})|(\*\*)|(\*)|([^{}*]+)/g)) {
    if (m[1] || m[3]) re += '[^/]+';
    else if (m[2]) re += '.*';
    else re += m[4]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(path);
}

/**
 * Whether a token may make this call (keystonemiddleware's `validate_allowed_request`). Only an
 * application credential's token with access rules is restricted: it needs this service's type
 * (`service_type`) to be set and in its catalog, and a rule naming the method and path, unless a
 * valid service token came with it.
 */
export function allowedByAccessRules(
  t: TokenInfo,
  call: { method: string; path: string; serviceType: string | undefined; withServiceToken: boolean },
): boolean {
  if (!t.accessRules) return true;
  if (!call.serviceType) return false;
  if (!(t.catalog ?? []).some((s) => s.type === call.serviceType)) return false;
  if (call.withServiceToken) return true;
  return t.accessRules.some((r) => r.method === call.method && r.service === call.serviceType && pathMatches(call.path, r.path));
}
