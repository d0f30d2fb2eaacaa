import { giError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (name: string) => UUID.test(name);

/**
 * An image id becomes a file name: no separators, and no '.', which starts the suffix of the files
 * plugins derive from it (`<id>.uc`, `<id>.raw`) and of our own temporary files.
 */
export function checkImageId(imageId: string): string {
  if (!imageId || /[/\\.\0]/.test(imageId)) throw giError('GI_STORE_BAD_IMAGE_ID', { imageId });
  return imageId;
}
