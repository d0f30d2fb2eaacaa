// What the machine can do at best, measured on the same files in the same run.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { MiB } from './inputs.mjs';
import { secondsOf } from './stats.mjs';

const fsyncFile = (file) => {
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
};

/** Copy + fsync: the disk's limit for writing the data once. */
export async function copyFsync(src, out) {
  await pipeline(createReadStream(src, { highWaterMark: MiB }), createWriteStream(out, { highWaterMark: MiB }));
  fsyncFile(out);
  rmSync(out);
}

const HASH_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createHash } = require('node:crypto');
const h = createHash(workerData.algo);
createReadStream(workerData.file, { highWaterMark: 1 << 20 }).on('data', (c) => h.update(c)).on('end', () => parentPort.postMessage(h.digest('hex')));`;

const hashOn = (file, algo) =>
  new Promise((resolve, reject) => {
    const w = new Worker(HASH_WORKER, { eval: true, workerData: { file, algo } });
    w.once('message', (hex) => {
      resolve(hex);
      void w.terminate();
    });
    w.once('error', reject);
  });

/** md5 and sha512 of a file computed in parallel (two threads, each reading it). */
export const hashParallel = (file) => Promise.all([hashOn(file, 'md5'), hashOn(file, 'sha512')]);

/** glance-direct's limit, in seconds: the slower of copy + fsync (to `out`) and md5 ∥ sha512 of the file. */
export const directLimit = async (file, out) => Math.max(await secondsOf(() => copyFsync(file, out)), await secondsOf(() => hashParallel(file)));

/** `qemu-img convert` to raw alone, then md5 ∥ sha512 of its output. */
export async function convertThenHash(qcow2, out) {
  await new Promise((resolve, reject) => execFile('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, out], (e) => (e ? reject(e) : resolve())));
  await hashParallel(out);
  rmSync(out);
}

/** Node's zlib gunzip of the file to a file, alone. */
export async function gunzip(gz, out) {
  await pipeline(createReadStream(gz, { highWaterMark: MiB }), createGunzip(), createWriteStream(out, { highWaterMark: MiB }));
  rmSync(out);
}

/** `curl` downloading to a file while md5 ∥ sha512 of the same data run. */
export async function curlAndHash(url, src, out) {
  const curl = new Promise((resolve, reject) =>
    spawn('curl', ['-sf', '-o', out, url], { stdio: 'ignore' }).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`curl exited ${c}`)))),
  );
  await Promise.all([curl, hashParallel(src)]);
  rmSync(out);
}

export const md5Of = async (file) => {
  const h = createHash('md5');
  for await (const c of createReadStream(file, { highWaterMark: MiB })) h.update(c);
  return h.digest('hex');
};
