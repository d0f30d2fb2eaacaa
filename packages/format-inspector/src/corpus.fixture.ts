/**
 * Test corpus built on the fly: real images from qemu-img, and the few formats qemu-img cannot
 * write (ISO, MBR/GPT, LUKS headers) built byte by byte. Used by the tests only.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { inspectFile } from './inspect-file.js';
import { StreamInspector } from './stream.js';
import type { InspectionResult, InspectOptions } from './verdict.js';

export const MiB = 1024 * 1024;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory, removed when the test file is done. */
export function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gi-inspect-'));
  dirs.push(dir);
  return dir;
}

export function qemuImg(...args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8' });
}

/** `qemu-img create -f <format> [-o options] <dir>/<name> <size>`; returns the path. */
export function create(dir: string, name: string, format: string, size: string, options?: string): string {
  const file = path.join(dir, name);
  qemuImg('create', '-q', '-f', format, ...(options ? ['-o', options] : []), file, size);
  return file;
}

export function writeBytes(dir: string, name: string, data: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** An ISO 9660 image: empty system area, a primary volume descriptor, a terminator. */
export function isoBytes(blocks = 32, blockSize = 2048): Buffer {
  const b = Buffer.alloc(Math.max(blocks * blockSize, 36 * 1024));
  const pvd = b.subarray(32 * 1024);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd[6] = 1;
  pvd.writeUInt32LE(blocks, 80);
  pvd.writeUInt32BE(blocks, 84);
  pvd.writeUInt16LE(blockSize, 128);
  pvd.writeUInt16BE(blockSize, 130);
  const end = b.subarray(34 * 1024);
  end[0] = 255;
  end.write('CD001', 1, 'latin1');
  end[6] = 1;
  return b;
}

export interface PartitionEntry {
  boot?: number;
  type: number;
  chs?: [number, number, number];
  lba?: number;
  sectors?: number;
}

/** Write an MBR (boot signature + up to four entries) into the first sector of `b`. */
export function writeMbr(b: Buffer, entries: PartitionEntry[]): Buffer {
  b.writeUInt16LE(0xaa55, 510);
  entries.forEach((e, i) => {
    const at = 446 + 16 * i;
    b[at] = e.boot ?? 0;
    const [h, s, c] = e.chs ?? [0, 2, 0];
    b[at + 1] = h;
    b[at + 2] = s;
    b[at + 3] = c;
    b[at + 4] = e.type;
    b.writeUInt32LE(e.lba ?? 2048, at + 8);
    b.writeUInt32LE(e.sectors ?? 1024, at + 12);
  });
  return b;
}

/** A raw disk with a GPT's protective MBR (and a GPT header signature at LBA 1, for realism). */
export function gptDisk(size = MiB): Buffer {
  const b = writeMbr(Buffer.alloc(size), [{ type: 0xee, chs: [0, 2, 0], lba: 1, sectors: size / 512 - 1 }]);
  b.write('EFI PART', 512, 'latin1');
  return b;
}

/** A LUKS header of the given version; payload after `payloadSectors` sectors. */
export function luksBytes(version: number, payloadSectors = 4096, total = 4 * MiB): Buffer {
  const b = Buffer.alloc(total);
  Buffer.from('LUKS\xba\xbe', 'latin1').copy(b);
  b.writeUInt16BE(version, 6);
  b.write('aes', 8, 'latin1');
  b.write('xts-plain64', 40, 'latin1');
  b.write('sha256', 72, 'latin1');
  b.writeUInt32BE(payloadSectors, 104);
  return b;
}

/** `qemu-img info --output=json`, parsed. */
export function qemuInfo(file: string, format?: string): { format: string; 'virtual-size': number } {
  return JSON.parse(qemuImg('info', ...(format ? ['-f', format] : []), '--output=json', file)) as { format: string; 'virtual-size': number };
}

/**
 * Inspect a file both ways (positioned reads, and a stream in chunks of an awkward prime size, so
 * regions straddle chunks) and insist the two verdicts are the same; returns that verdict.
 */
export async function inspectBoth(file: string, opts?: InspectOptions): Promise<InspectionResult> {
  const fromFile = await inspectFile(file, opts);
  const stream = new StreamInspector();
  for await (const chunk of createReadStream(file, { highWaterMark: 65521 })) stream.update(chunk as Buffer);
  const fromStream = stream.result(opts);
  if (JSON.stringify(fromStream) !== JSON.stringify(fromFile)) {
    throw new Error(`file and stream verdicts differ for ${file}:\n${JSON.stringify(fromFile)}\n${JSON.stringify(fromStream)}`);
  }
  return fromFile;
}

/** Overwrite bytes of a file in place. */
export function patch(file: string, at: number, bytes: Buffer): void {
  const b = readFileSync(file);
  bytes.copy(b, at);
  writeFileSync(file, b);
}
