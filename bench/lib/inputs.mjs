// The benchmark's own inputs: random raw data (a random MiB repeated: incompressible for gzip's
// window, and every qcow2 cluster allocated), its qcow2 and its gzip.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export const MiB = 1024 * 1024;

export function rawFile(file, mib) {
  const block = randomBytes(MiB);
  const fd = openSync(file, 'w');
  for (let i = 0; i < mib; i++) {
    block.writeUInt32LE(i, 0); // no two MiB alike
    writeSync(fd, block);
  }
  fsyncSync(fd);
  closeSync(fd);
  return file;
}

export function qcow2Of(raw, file) {
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
  return file;
}

export async function gzipOf(raw, file) {
  await pipeline(createReadStream(raw, { highWaterMark: MiB }), createGzip({ level: 1 }), createWriteStream(file));
  return file;
}
