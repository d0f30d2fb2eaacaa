import { mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { giError } from './errors.js';
import { isFile, PART, writeFileAtomic } from './atomic-file.js';
import { copyFileAtomic, linkFileAtomic } from './adopt.js';
import { writeError } from './fs-errors.js';
import { checkImageId, isUuid } from './image-id.js';
import { readFile } from './read-file.js';
import type { StoreDriver, StoreDriverFactory } from './types.js';

export interface FileStoreOptions {
  /** `filesystem_store_datadir`; created when missing. */
  dir: string;
  /** `store_description`. */
  description?: string;
  weight?: number;
}

// Glance writes file locations as 'file://' + path, without percent-encoding; we read and write the same.
const SCHEME = 'file://';

/** Glance's filesystem store: one file per image, `file://<dir>/<image id>`. */
export function createFileStore(id: string, options: FileStoreOptions): StoreDriver {
  if (typeof options.dir !== 'string' || !options.dir) {
    throw giError('GI_STORE_BAD_OPTIONS', { store: id, reason: 'filesystem_store_datadir is not set' });
  }
  const dir = path.resolve(options.dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw writeError(e, id, dir);
  }

  const fileOf = (location: string): string => {
    const file = location.startsWith(SCHEME) ? path.resolve(location.slice(SCHEME.length)) : '';
    if (path.dirname(file) !== dir) {
      throw giError('GI_STORE_BAD_LOCATION', { store: id, location, reason: `not a file directly in ${dir}` });
    }
    return file;
  };

  // Where an image's data goes in this store, and the error when it is already there.
  const targetOf = (imageId: string) => ({
    file: path.join(dir, checkImageId(imageId)),
    where: { store: id, conflict: () => giError('GI_STORE_DUPLICATE', { store: id, imageId }) },
  });

  return {
    id,
    type: 'file',
    readOnly: false,
    description: options.description,
    weight: options.weight ?? 0,
    // Glance's keys; its file store reads and writes in 64 KiB chunks and is never thin-provisioned.
    properties: { data_dir: dir, chunk_size: 65536, thin_provisioning: false },
    async add(imageId, source, opts = {}) {
      const { file, where } = targetOf(imageId);
      const hashes = await writeFileAtomic(file, source, opts, where);
      return { location: SCHEME + file, ...hashes };
    },
    async adopt(imageId, source) {
      const { file, where } = targetOf(imageId);
      return (await linkFileAtomic(source, file, where)) ? { location: SCHEME + file } : undefined;
    },
    async addFile(imageId, source, opts = {}) {
      const { file, where } = targetOf(imageId);
      await copyFileAtomic(source, file, opts, where);
      return { location: SCHEME + file };
    },
    get: async (location, range) => readFile(fileOf(location), range, id, location),
    async delete(location) {
      const file = fileOf(location);
      await rm(file, { force: true }).catch((e: unknown) => {
        throw writeError(e, id, file);
      });
    },
    exists: async (location) => isFile(fileOf(location)),
    async discard(imageId) {
      const id = checkImageId(imageId);
      const names = (await entries()).filter((n) => n === id || (n.startsWith(id) && n.slice(id.length).startsWith(PART)));
      await removeAll(names);
      return names;
    },
    async sweepPartials(keep) {
      const names: string[] = [];
      for (const n of await entries()) {
        const i = n.indexOf(PART);
        if (i > 0 && isUuid(n.slice(0, i)) && !(await keep(n.slice(0, i)))) names.push(n);
      }
      await removeAll(names);
      return names;
    },
  };

  async function entries(): Promise<string[]> {
    return readdir(dir).catch((e: unknown) => {
      throw writeError(e, id, dir);
    });
  }

  async function removeAll(names: readonly string[]): Promise<void> {
    for (const n of names) {
      const file = path.join(dir, n);
      await rm(file, { force: true }).catch((e: unknown) => {
        throw writeError(e, id, file);
      });
    }
  }
}

const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The `file` entry point: takes the store's config group with Glance's option names
 * (`filesystem_store_datadir`, `store_description`, `weight`).
 */
export const fileStoreFactory: StoreDriverFactory = (id, options) =>
  createFileStore(id, {
    dir: optionalString(options.filesystem_store_datadir) ?? '',
    description: optionalString(options.store_description),
    weight: typeof options.weight === 'number' ? options.weight : undefined,
  });
