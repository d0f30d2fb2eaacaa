import { IMAGE_COLUMNS } from '@glance-import/db';

/** Which image attributes a caller may write, as Glance's deserializer and domain decide (§1.3, §1.4). */

export const RESERVED_NAMESPACE = 'os_glance';

/** In the body of a create: 403 "Attribute '<k>' is read-only." */
export const CREATE_READ_ONLY = new Set([
  'direct_url',
  'self',
  'file',
  'schema',
  'stores',
  'status',
  'checksum',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
  'os_hash_algo',
  'os_hash_value',
]);
/** In a PATCH: 403 "Attribute '<k>' is read-only." */
export const PATCH_READ_ONLY = new Set([
  'created_at',
  'updated_at',
  'status',
  'checksum',
  'size',
  'virtual_size',
  'direct_url',
  'self',
  'file',
  'schema',
  'id',
  'os_hash_algo',
  'os_hash_value',
  'stores',
]);
/** 403 "Attribute '<k>' is reserved." */
export const RESERVED = new Set(['location', 'deleted', 'deleted_at']);

/** The base attributes (columns); everything else is an extra property. */
export const BASE_ATTRIBUTES = new Set<string>([...IMAGE_COLUMNS, 'tags', 'locations']);

export const isReservedName = (k: string) => RESERVED.has(k) || k.startsWith(RESERVED_NAMESPACE);

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
