// Test data made on the spot: JS for gzip and hand-built zips, the reference CLIs for zstd, xz, bzip2
// and zip (scripts/setup installs them).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { runPlugin, type RunPluginOptions } from '@glance-import/testing';
import { getFlow } from './index.js';

const made: string[] = [];

/** Remember a directory for `removeTmp()`; returns it. */
export function trackDir(dir: string): string {
  made.push(dir);
  return dir;
}

export const tmp = (prefix = 'dz-') => trackDir(mkdtempSync(path.join(tmpdir(), prefix)));

/** Run the plugin as the import flow would; its staging directory goes with `removeTmp()`. */
export async function decompress(o: RunPluginOptions) {
  const run = await runPlugin(getFlow, o);
  trackDir(run.stagingDir);
  return run;
}

/** Remove every directory made or tracked so far (call from afterAll: some tests write hundreds of MiB). */
export function removeTmp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeTmp(name: string, data: Uint8Array): string {
  const f = path.join(tmp(), name);
  writeFileSync(f, data);
  return f;
}

/** Disk-like data: pseudo-random runs (incompressible) between zero runs, reproducible from the seed. */
export function diskData(bytes: number, seed = 1): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i += 4096) {
    x = (x * 1103515245 + 12345) >>> 0;
    if (x % 3 === 0) continue;
    for (let j = i; j < Math.min(i + 4096, bytes); j++) {
      x = (x * 1664525 + 1013904223) >>> 0;
      b[j] = x >>> 24;
    }
  }
  return b;
}

/** Compress with a reference CLI reading stdin, e.g. `cli('zstd', ['-q', '-c'], data)`. */
export const cli = (cmd: string, args: string[], input: Uint8Array): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });

export const compressors = {
  zstd: (d: Uint8Array) => cli('zstd', ['-q', '-c'], d),
  xz: (d: Uint8Array) => cli('xz', ['-c'], d),
  bzip2: (d: Uint8Array) => cli('bzip2', ['-c'], d),
  /** `zip` itself, deflating (or storing with `-0`) one file. */
  zip: (d: Uint8Array, args: string[] = []) => {
    const dir = tmp('zipcli-');
    writeFileSync(path.join(dir, 'disk.img'), d);
    return execFileSync('zip', ['-q', ...args, '-', 'disk.img'], { cwd: dir, maxBuffer: 1 << 30 });
  },
};

export interface ZipMemberSpec {
  name: string;
  data: Uint8Array;
  /** 0 stored, 8 deflate; anything else stores the bytes under that method number. */
  method?: number;
  flags?: number;
  versionMadeBy?: number;
  externalAttributes?: number;
  /** Lie about the uncompressed size or CRC in the headers. */
  declaredSize?: number;
  crc?: number;
}

/** A zip built byte by byte, to make archives that `zip` refuses to write. */
export function zipArchive(members: ZipMemberSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const method = m.method ?? 8;
    const body = method === 8 ? deflateRawSync(m.data) : Buffer.from(m.data);
    const crc = m.crc ?? crc32(m.data);
    const size = m.declaredSize ?? m.data.length;
    // Local and central headers share this run of fields, at offset 6 and 8 respectively.
    const common = (b: Buffer, at: number) => {
      b.writeUInt16LE(m.flags ?? 0x800, at);
      b.writeUInt16LE(method, at + 2);
      b.writeUInt32LE(crc, at + 8);
      b.writeUInt32LE(body.length, at + 12);
      b.writeUInt32LE(size, at + 16);
      b.writeUInt16LE(name.length, at + 20);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    common(local, 6);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.versionMadeBy ?? 0x031e, 4);
    central.writeUInt16LE(20, 6);
    common(central, 8);
    central.writeUInt32LE(m.externalAttributes ?? (0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
