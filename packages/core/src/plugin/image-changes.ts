import { giError } from '../errors.js';
import type { SettableAttribute } from './context.js';

/**
 * What an import task may write to the image through `ctx.image`: the one check the image service
 * makes and `@glance-import/testing` makes too, so a plugin that passes its tests is not refused
 * on the server. The attributes are Glance's ImportActionWrapper's; extra properties are strings,
 * as the Image API stores and shows them. The reserved `os_glance` namespace is refused with a
 * warning, not an error, as in Glance.
 */
export const SETTABLE_ATTRIBUTES: readonly SettableAttribute[] = ['status', 'disk_format', 'container_format', 'size', 'virtual_size'];
export const RESERVED_PROPERTY_PREFIX = 'os_glance';
/** Glance's image statuses. */
const STATUSES = ['queued', 'saving', 'uploading', 'importing', 'active', 'deactivated', 'killed', 'deleted', 'pending_delete'];
const MAX_NAME = 255;
const MAX_VALUE = 65_535;

const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;

export function checkAttributes(attributes: Record<string, unknown>): Partial<Record<SettableAttribute, string | number | null>> {
  for (const [k, v] of Object.entries(attributes)) {
    if (!(SETTABLE_ATTRIBUTES as readonly string[]).includes(k)) {
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', {
        change: `set the attribute '${k}'`,
        reason: `only ${SETTABLE_ATTRIBUTES.join(', ')} can be set during an import`,
      });
    }
    const numeric = k === 'size' || k === 'virtual_size';
    if (k === 'status' && !STATUSES.includes(v as string)) {
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', { change: `set status to ${describe(v)}`, reason: `an image's status is one of ${STATUSES.join(', ')}` });
    }
    const ok = v === null || (numeric ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME);
    if (!ok)
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', {
        change: `set ${k} to ${describe(v)}`,
        reason: numeric ? `${k} is a whole number of bytes, or null` : `${k} is a non-empty string, or null`,
      });
  }
  return attributes as Partial<Record<SettableAttribute, string | number | null>>;
}

const checkName = (k: string) => {
  if (k.length === 0 || k.length > MAX_NAME)
    throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', { change: `set the property '${k.slice(0, 40)}'`, reason: `property names have 1 to ${MAX_NAME} characters` });
};
const reserved = (k: string) => k.startsWith(RESERVED_PROPERTY_PREFIX);

/** The properties to write: every value a string; reserved ones left out, each reported to `refused`. */
export function checkExtraProperties(properties: Record<string, unknown>, refused: (name: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) {
    checkName(k);
    if (typeof v !== 'string')
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', { change: `set the property '${k}' to ${describe(v)}`, reason: 'property values are strings' });
    if (v.length > MAX_VALUE)
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', {
        change: `set the property '${k}' to ${v.length} characters`,
        reason: `property values have at most ${MAX_VALUE} characters`,
      });
    if (reserved(k)) refused(k);
    else out[k] = v;
  }
  return out;
}

/** The properties to remove: reserved ones are left alone (the service keeps them), each reported to `refused`. */
export function checkRemovedProperties(names: readonly unknown[], refused: (name: string) => void): string[] {
  return names.filter((k): k is string => {
    if (typeof k !== 'string')
      throw giError('GI_PLUGIN_BAD_IMAGE_CHANGE', { change: `remove the property ${describe(k)}`, reason: 'property names are strings' });
    if (!reserved(k)) return true;
    refused(k);
    return false;
  });
}
