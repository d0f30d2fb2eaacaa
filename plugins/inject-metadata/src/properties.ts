import { dict, OptionValueError, string, type OptType } from '@glance-import/core';

/**
 * What an import may not set as an extra property: the image's base and read-only attributes
 * (Glance's image schema and its create/PATCH checks) and the reserved `os_glance` namespace.
 */
export const BASE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'owner',
  'tags',
  'container_format',
  'disk_format',
  'min_disk',
  'min_ram',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'created_at',
  'updated_at',
  'direct_url',
  'self',
  'file',
  'schema',
  'stores',
  'locations',
  'location',
  'deleted',
  'deleted_at',
]);
export const RESERVED_PREFIX = 'os_glance';
/** Glance refuses longer custom property names (400). */
export const MAX_KEY_LENGTH = 255;

/** Each refused key with why, e.g. `'size' (a base image attribute)`; empty when all may be set. */
export function refusedProperties(properties: Record<string, string>): string[] {
  return Object.keys(properties).flatMap((k) => {
    if (k.startsWith(RESERVED_PREFIX)) return [`'${k}' (reserved ${RESERVED_PREFIX}* namespace)`];
    if (BASE_ATTRIBUTES.has(k)) return [`'${k}' (a base image attribute)`];
    if (k.length > MAX_KEY_LENGTH) return [`'${k.slice(0, 20)}…' (longer than ${MAX_KEY_LENGTH} characters)`];
    return [];
  });
}

/** `inject`: a dict of strings, refused when loaded if it names a property an import may not set. */
export function injectable(): OptType<Record<string, string>> {
  const base = dict(string());
  return {
    ...base,
    description: `${base.description}, none of them a base attribute or in the ${RESERVED_PREFIX}* namespace`,
    parse(raw) {
      const value = base.parse(raw);
      const refused = refusedProperties(value);
      if (refused.length) throw new OptionValueError(`an import may not set ${refused.join(', ')}`);
      return value;
    },
  };
}
