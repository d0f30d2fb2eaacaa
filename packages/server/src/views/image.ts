import { STAGE_NODE } from '../images/stage-recovery.js';
import type { ImageRecord } from '@glance-import/db';
import { isoSeconds } from './time.js';

/** Properties Glance keeps on the record but never shows (§2.3). */
export const HIDDEN_PROPERTIES = new Set(['os_glance_stage_host', 'os_glance_hash_op_host', STAGE_NODE]);

export interface ImageViewOptions {
  multiStore: boolean;
  /** Weight of each store id, in config order: views list stores by weight, then as configured. */
  storeWeights: ReadonlyMap<string, number>;
  showMultipleLocations: boolean;
  showDirectUrl: boolean;
}

/** The image as the API answers it (Glance's ResponseSerializer._format_image). */
export function imageView(image: ImageRecord, o: ImageViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(image.properties)) if (!HIDDEN_PROPERTIES.has(k)) view[k] = v ?? '';
  Object.assign(view, {
    name: image.name,
    disk_format: image.disk_format,
    container_format: image.container_format,
    visibility: image.visibility,
    size: image.size,
    virtual_size: image.virtual_size,
    status: image.status,
    checksum: image.checksum,
    protected: image.protected,
    min_ram: image.min_ram,
    min_disk: image.min_disk,
    owner: image.owner,
    os_hidden: image.os_hidden,
    os_hash_algo: image.os_hash_algo,
    os_hash_value: image.os_hash_value,
    id: image.id,
    created_at: isoSeconds(image.created_at),
    updated_at: isoSeconds(image.updated_at),
    tags: image.tags,
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  });
  const active = image.locations.filter((l) => l.status === 'active');
  if (o.multiStore && active.length) {
    const order = [...o.storeWeights.keys()];
    const stores = [...new Set(active.map((l) => l.store))].sort(
      (a, b) => (o.storeWeights.get(b) ?? 0) - (o.storeWeights.get(a) ?? 0) || order.indexOf(a) - order.indexOf(b),
    );
    view.stores = stores.join(',');
  }
  if (o.showMultipleLocations) view.locations = active.map((l) => ({ url: l.url, metadata: l.metadata }));
  if (o.showDirectUrl && active[0]) view.direct_url = active[0].url;
  return view;
}
