import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient } from './api-client.js';
import { digest, type Digest } from './corpus.js';

const exec = promisify(execFile);

/** Helpers of the crash suite: the input it imports, what it watches to pick a moment, what it checks after. */

export interface CrashInput {
  /** gzip of a qcow2 that qemu-img wrote: what the client stages. */
  gz: Buffer;
  /** The same, as a file (python-glanceclient stages a file). */
  gzFile: string;
  /** Bytes of the qcow2 (what image_decompression writes). */
  qcow2Bytes: number;
  /** The raw disk (what image_conversion writes and the store holds). */
  raw: Digest;
}

/**
 * A disk of `mib` MiB of random (non-zero, incompressible) data, written as qcow2 by qemu-img and
 * gzipped: each phase of the import (stage, decompression, conversion, store write) moves every byte.
 */
export async function crashInput(dir: string, mib: number): Promise<CrashInput> {
  const rawFile = path.join(dir, 'disk.raw');
  const qcow2 = path.join(dir, 'disk.qcow2');
  const data = randomBytes(mib << 20);
  writeFileSync(rawFile, data);
  await exec('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rawFile, qcow2]);
  await exec('sh', ['-c', `gzip -1 -c ${qcow2} > ${qcow2}.gz`]);
  return { gz: readFileSync(`${qcow2}.gz`), gzFile: `${qcow2}.gz`, qcow2Bytes: statSync(qcow2).size, raw: digest(data) };
}

/** Bytes a file holds on disk: its allocated blocks (qemu-img writes raw output sparse), capped by its size. */
const held = (file: string): number => {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? Math.min(s.size, s.blocks * 512) : 0;
};

export interface Watch {
  /** The directory and the entries (by name) to look at. */
  dir: string;
  match: (name: string) => boolean;
  /** Hit once a matching entry holds this many bytes (0: once one exists). */
  bytes: number;
}

/**
 * Poll (every few ms) until a watched entry holds `bytes`; resolves to what was seen, or to undefined
 * when `gone()` says the moment has passed (a later phase began) or the deadline passed.
 */
export async function reached(w: Watch, gone: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let checks = 0;
  for (;;) {
    const names = existsSync(w.dir) ? readdirSync(w.dir).filter(w.match) : [];
    for (const name of names) {
      const bytes = held(path.join(w.dir, name));
      if (bytes >= w.bytes) return `${name} holds ${(bytes / 2 ** 20).toFixed(1)} MiB`;
    }
    // The HTTP probe is slower than a stat: asked every 50th round.
    if (++checks % 50 === 0 && (await gone())) return undefined;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * PUT /stage announcing all of `data` but sending only its first `send` bytes, leaving the request
 * open (a client mid-upload when the server dies). The returned function ends the socket.
 */
export async function stageOpen(url: string, token: string, id: string, data: Buffer, send: number): Promise<() => void> {
  const { port } = new URL(url);
  const req = http.request({
    host: '127.0.0.1',
    port: Number(port),
    method: 'PUT',
    path: `/v2/images/${id}/stage`,
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': data.length },
  });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  await new Promise((r) => req.write(data.subarray(0, send), r));
  return () => req.destroy();
}

export interface Leftovers {
  staging: string[];
  stores: string[];
}

/**
 * Files in staging and the store that no image accounts for, given each image's status: an active
 * image has `<id>` in the store and nothing in staging; an uploading one `<id>` in staging (and the
 * hashes taken while staging it); a queued
 * one at most its kept upload (`<id>.upload`, `<id>.upload-offset`, a documented resume point).
 */
export function leftovers(dirs: { staging: string; store: string }, statuses: ReadonlyMap<string, string>): Leftovers {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const accountedStaging = (name: string) => {
    const [id] = name.split('.');
    const status = statuses.get(id!);
    // The hashes taken while staging (i11-perf) sit beside the stage they describe.
    if (status === 'uploading') return name === id || name === `${id}.staged-hashes.json`;
    if (status === 'queued') return name === `${id}.upload` || name === `${id}.upload-offset`;
    return false;
  };
  const accountedStore = (name: string) => statuses.get(name) === 'active';
  return {
    staging: list(dirs.staging).filter((n) => !accountedStaging(n)),
    stores: list(dirs.store).filter((n) => !accountedStore(n)),
  };
}

export interface SettledImage {
  image: Record<string, any>;
  tasks: Array<Record<string, any>>;
}

/**
 * Wait until nothing runs for the image: not importing, no task pending or processing. A lock still
 * held then is the caller's finding, not a reason to wait on.
 */
export async function quiet(api: ApiClient, id: string, timeoutMs = 180_000): Promise<SettledImage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = await api.image(id);
    const tasks = await api.tasks(id);
    const running = tasks.some((t) => t.status === 'pending' || t.status === 'processing');
    if (image.status !== 'importing' && image.status !== 'saving' && !running) return { image, tasks };
    if (Date.now() > deadline) throw new Error(`image ${id} did not settle within ${timeoutMs} ms: ${JSON.stringify({ image, tasks })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
