import { isReserved, propertiesOf } from './image-fields';

export const PATCH_MEDIA_TYPE = 'application/openstack-images-v2.1-json-patch';

export type PatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** What the edit form changes. */
export interface ImageEdit {
  name: string | null;
  visibility: string;
  tags: string[];
  properties: Record<string, string>;
}

/** JSON pointer of one top-level key (RFC 6901 escapes). */
const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * The JSON patch (v2.1 dialect) from an image view to an edit, as python-glanceclient builds it: an
 * attribute of the schema is `replace`d (also when it was null), a property is `add`ed, `replace`d or
 * `remove`d, and tags are replaced as a whole list. Reserved `os_glance_*` properties are never sent.
 */
export function imagePatch(before: Record<string, unknown>, edit: ImageEdit): PatchOp[] {
  const ops: PatchOp[] = [];
  if ((before.name ?? null) !== edit.name) ops.push({ op: 'replace', path: '/name', value: edit.name });
  if (before.visibility !== edit.visibility) ops.push({ op: 'replace', path: '/visibility', value: edit.visibility });
  const old = propertiesOf(before);
  for (const key of Object.keys(old)) {
    if (isReserved(key)) continue;
    if (!(key in edit.properties)) ops.push({ op: 'remove', path: pointer(key) });
  }
  for (const [key, value] of Object.entries(edit.properties)) {
    if (isReserved(key)) continue;
    if (!(key in old)) ops.push({ op: 'add', path: pointer(key), value });
    else if (old[key] !== value) ops.push({ op: 'replace', path: pointer(key), value });
  }
  const tagsBefore = Array.isArray(before.tags) ? (before.tags as string[]) : [];
  if (tagsBefore.join('\u0000') !== edit.tags.join('\u0000')) ops.push({ op: 'replace', path: '/tags', value: edit.tags });
  return ops;
}

/** "a, b,,c " → ['a', 'b', 'c'], without duplicates, in the order typed. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}
