// Which keys of an image view are Glance's own attributes, and which are extra properties.

/** Attributes of the image schema (`is_base`), as the API answers them; everything else is a property. */
export const BASE_ATTRIBUTES = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'owner',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'disk_format',
  'container_format',
  'created_at',
  'updated_at',
  'tags',
  'self',
  'file',
  'schema',
  'stores',
  'locations',
  'direct_url',
]);

/** `os_glance_*` properties are the service's own: shown, never edited (the API refuses them). */
export const isReserved = (key: string): boolean => key.startsWith('os_glance');

export type ImageView = Record<string, unknown> & {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  owner: string | null;
  size: number | null;
  virtual_size: number | null;
  disk_format: string | null;
  container_format: string | null;
  tags: string[];
  stores?: string;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  protected: boolean;
  created_at: string;
  updated_at: string;
};

/** The extra properties of an image view, as strings (Glance keeps them as strings). */
export function propertiesOf(image: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(image)) if (!BASE_ATTRIBUTES.has(k)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** `"a,b"` (the view's `stores`) → `['a', 'b']`. */
export const storesOf = (image: { stores?: unknown }): string[] => (typeof image.stores === 'string' && image.stores ? image.stores.split(',') : []);
