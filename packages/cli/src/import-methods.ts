/**
 * The import methods of the Image API, as `image import` offers them: what fills staging and what
 * the command needs for it. A method this command does not run says why and what does.
 */
export type MethodUse =
  | { readonly source: 'file'; readonly about: string }
  | { readonly source: 'uri'; readonly about: string }
  | { readonly source: 'unsupported'; readonly why: string };

export const IMPORT_METHODS: Readonly<Record<string, MethodUse>> = {
  'glance-direct': { source: 'file', about: 'stages FILE, then imports it (the default)' },
  'web-download': { source: 'uri', about: 'the service downloads --uri URL and imports it' },
  'copy-image': {
    source: 'unsupported',
    why: 'it copies an active image into more stores; call POST /v2/images/{id}/import with {"method": {"name": "copy-image"}, "stores": [...]}, e.g. `glance image-import ID --import-method copy-image --stores S`',
  },
  'glance-download': {
    source: 'unsupported',
    why: 'it pulls an image from another region\'s Image API; call POST /v2/images/{id}/import with {"method": {"name": "glance-download", "glance_image_id": ..., "glance_region": ...}}',
  },
};
