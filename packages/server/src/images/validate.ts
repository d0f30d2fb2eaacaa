import type { ImageColumns } from '@glance-import/db';
import { giError } from '../errors.js';
import { badRequest } from '../http/errors.js';
import { UUID_RE } from './attributes.js';

export interface Formats {
  disk: readonly string[];
  container: readonly string[];
}

/** Check one base attribute's value against the image schema; returns the column value. */
export function validateAttribute(key: string, value: unknown, formats: Formats): ImageColumns[keyof ImageColumns] | string[] | string {
  const bad = (why: string) => badRequest(`Provided object does not match schema 'image': ${why}`);
  switch (key) {
    case 'name':
    case 'owner':
      if (value !== null && typeof value !== 'string') throw bad(`${JSON.stringify(value)} is not of type 'null', 'string'`);
      if (typeof value === 'string' && value.length > 255) throw bad(`'${key}' is too long (255 characters at most)`);
      return value as string | null;
    case 'id':
      if (typeof value !== 'string' || !UUID_RE.test(value)) throw bad(`${JSON.stringify(value)} does not match the UUID pattern`);
      return value.toLowerCase();
    case 'visibility':
      if (!['community', 'public', 'private', 'shared'].includes(value as string))
        throw bad(`${JSON.stringify(value)} is not one of ['community', 'public', 'private', 'shared']`);
      return value as string;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') throw bad(`${JSON.stringify(value)} is not of type 'boolean'`);
      return value;
    case 'min_ram':
    case 'min_disk':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(`${JSON.stringify(value)} is not of type 'integer'`);
      if (value < 0) throw badRequest(`Invalid value '${value}' for parameter '${key}': Cannot be a negative value`);
      return value;
    case 'disk_format':
    case 'container_format': {
      const allowed = key === 'disk_format' ? formats.disk : formats.container;
      if (value !== null && !allowed.includes(value as string))
        throw bad(`${JSON.stringify(value)} is not one of [None, ${allowed.map((f) => `'${f}'`).join(', ')}]`);
      return value as string | null;
    }
    case 'tags':
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw bad(`${JSON.stringify(value)} is not of type 'array' of strings`);
      for (const t of value as string[]) checkTag(t);
      return value as string[];
    default:
      return value as string;
  }
}

/** Extra properties are strings (the permissive schema: additionalProperties {"type": "string"}). */
export function validateExtraProperty(key: string, value: unknown): string {
  if (key.length > 255) throw badRequest(`Provided object does not match schema 'image': property name '${key.slice(0, 40)}…' is longer than 255 characters`);
  if (typeof value !== 'string')
    throw badRequest(`Provided object does not match schema 'image': ${JSON.stringify(value)} is not of type 'string' (property '${key}')`);
  return value;
}

/** A tag is at most 255 characters (the image schema's tags.items.maxLength), refused as Glance's schema check words it. */
export function checkTag(tag: string): string {
  if (tag.length > 255) throw badRequest(`Provided object does not match schema 'image': '${tag}' is too long`);
  return tag;
}

/** 413 for more tags than [DEFAULT] image_tag_quota, in Glance's words; a negative quota is no limit. */
export function checkTagQuota(attempted: number, quota: number, imageId?: string): void {
  if (quota < 0 || attempted <= quota) return;
  const words = `The limit has been exceeded on the number of allowed image tags. Attempted: ${attempted}, Maximum: ${quota}`;
  throw giError('GI_API_TOO_LARGE', { message: imageId ? `Image tag limit exceeded for image ${imageId}: ${words}:` : words });
}
