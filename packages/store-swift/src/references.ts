import { readFileSync } from 'node:fs';
import { parseIni, unquote } from '@glance-import/core';
import { isGlanceImportError, reasonOf } from '@glance-import/errors';
import type { SwiftAccount } from './account.js';
import { swiftErrors } from './errors.js';

/**
 * Reads a swift references file (`swift_store_config_file`, Glance's glance-swift.conf): one
 * `[<reference>]` group per account with `auth_address` and `user` + `key`, or
 * `application_credential_id` + `application_credential_secret` (with `project_name` or
 * `project_id`); `auth_version` and the `*_domain_*` options are optional. Malformed lines are
 * reported by number only, as they may hold a key.
 */
export function readReferences(store: string, file: string, defaultVersion: string): Map<string, SwiftAccount> {
  const bad = (reason: string) => swiftErrors.error('GI_SWIFT_CONFIG_FILE', { store, file, reason });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(`cannot be read (${(e as NodeJS.ErrnoException).code ?? reasonOf(e)})`);
  }
  let entries: ReturnType<typeof parseIni>;
  try {
    entries = parseIni(text, file);
  } catch (e) {
    const line = isGlanceImportError(e) ? (e.details as { line?: number }).line : undefined;
    throw bad(`is not an INI file${line ? ` (line ${line})` : ''}`);
  }
  const groups = new Map<string, Map<string, string>>();
  for (const { group, option, value } of entries) {
    if (group === 'DEFAULT') continue;
    if (!groups.has(group)) groups.set(group, new Map());
    groups.get(group)!.set(option, unquote(value));
  }
  const references = new Map<string, SwiftAccount>();
  for (const [reference, g] of groups) {
    const get = (k: string) => g.get(k) || undefined;
    const where = (keys: string) => `${keys} in [${reference}] of ${file}`;
    const authAddress = get('auth_address');
    if (!authAddress) throw bad(`has no auth_address in [${reference}]`);
    const appId = get('application_credential_id');
    const appSecret = get('application_credential_secret');
    if (Boolean(appId) !== Boolean(appSecret)) throw bad(`needs both application_credential_id and application_credential_secret in [${reference}]`);
    if (!appId && !(get('user') && get('key'))) throw bad(`needs user and key (or an application credential) in [${reference}]`);
    const version = get('auth_version') ?? defaultVersion;
    if (version !== '1' && version !== '3') throw bad(`has auth_version ${version} in [${reference}]; use 1 (tempauth) or 3 (Keystone v3)`);
    references.set(reference, {
      reference,
      authAddress,
      authVersion: version,
      user: appId ? undefined : get('user'),
      key: appId ? undefined : get('key'),
      applicationCredentialId: appId,
      applicationCredentialSecret: appSecret,
      projectName: get('project_name'),
      projectId: get('project_id'),
      userDomainId: get('user_domain_id'),
      userDomainName: get('user_domain_name'),
      projectDomainId: get('project_domain_id'),
      projectDomainName: get('project_domain_name'),
      origin: { address: where('auth_address'), credentials: where(appId ? 'application_credential_id / application_credential_secret' : 'user / key') },
    });
  }
  return references;
}
