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
  const props = image.properties;
  for (const k in props) if (Object.hasOwn(props, k) && !HIDDEN_PROPERTIES.has(k)) view[k] = props[k] ?? '';
  // The attributes after the extra properties, so they win (as in Glance's dict), stored one by one:
  // an object literal copied over with Object.assign cost a list page a view's worth more.
  view.name = image.name;
  view.disk_format = image.disk_format;
  view.container_format = image.container_format;
  view.visibility = image.visibility;
  view.size = image.size;
  view.virtual_size = image.virtual_size;
  view.status = image.status;
  view.checksum = image.checksum;
  view.protected = image.protected;
  view.min_ram = image.min_ram;
  view.min_disk = image.min_disk;
  view.owner = image.owner;
  view.os_hidden = image.os_hidden;
  view.os_hash_algo = image.os_hash_algo;
  view.os_hash_value = image.os_hash_value;
  view.id = image.id;
  view.created_at = isoSeconds(image.created_at);
  view.updated_at = isoSeconds(image.updated_at);
  view.tags = image.tags;
  view.self = `/v2/images/${image.id}`;
  view.file = `/v2/images/${image.id}/file`;
  view.schema = '/v2/schemas/image';
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
