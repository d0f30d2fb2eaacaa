import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Run a tool; its stdout (binary) when it writes the result there. */
async function tool(cmd: string, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await exec(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 });
  return stdout;
}

export type Compression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'zip';

/** disk_format names and the qemu-img drivers that write them. */
const DRIVERS = { qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vpc', vdi: 'vdi' } as const;
export type SourceFormat = keyof typeof DRIVERS;

export interface Digest {
  size: number;
  md5: string;
  sha512: string;
}

/** Size, md5 and sha512 of bytes, or of a file's bytes. */
export const digest = (data: Buffer | string): Digest =>
  typeof data === 'string'
    ? digest(readFileSync(data))
    : {
        size: data.length,
        md5: createHash('md5').update(data).digest('hex'),
        sha512: createHash('sha512').update(data).digest('hex'),
      };

export interface SourceImage {
  file: string;
  format: SourceFormat;
  /** What `qemu-img info` reports. */
  virtualSize: number;
  /** `qemu-img convert -O raw` of the file: what an import with image_conversion must store. */
  raw: Digest;
}

/**
 * Test images made with the reference tools: a 12 MiB disk with data in it, written by qemu-img
 * as qcow2, vmdk, vhd and vdi, compressed by gzip, zstd, xz, bzip2 and zip; and the attacks an
 * import must refuse.
 */
export class Corpus {
  private constructor(
    readonly dir: string,
    readonly sources: Readonly<Record<SourceFormat, SourceImage>>,
  ) {}

  static async build(dir: string): Promise<Corpus> {
    const disk = path.join(dir, 'disk.raw');
    const data = Buffer.alloc(12 << 20);
    // Something to carry through every conversion: random data at 3 MiB and in the last sector.
    randomBytes(1 << 20).copy(data, 3 << 20);
    data.write('the last sector', data.length - 512);
    writeFileSync(disk, data);
    const entries = await Promise.all(
      (Object.keys(DRIVERS) as SourceFormat[]).map(async (format) => {
        const file = path.join(dir, `disk.${format}`);
        await tool('qemu-img', ['convert', '-f', 'raw', '-O', DRIVERS[format], ...(format === 'vhd' ? ['-o', 'force_size=on'] : []), disk, file]);
        return [format, await measure(file, format)] as const;
      }),
    );
    return new Corpus(dir, Object.fromEntries(entries) as Record<SourceFormat, SourceImage>);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** `file` compressed with the reference tool (zip: one member). */
  async compress(file: string, how: Compression): Promise<string> {
    const out = `${file}.${how}`;
    if (how === 'zip') await tool('zip', ['-q', '-j', out, file]);
    else writeFileSync(out, await tool(how, ['-c', ...(how === 'zstd' ? ['-q'] : []), file]));
    return out;
  }

  /** qcow2 whose backing file is /etc/passwd (CVE-2022-47951). */
  async backingFile(): Promise<string> {
    const out = this.file('backing.qcow2');
    await tool('qemu-img', ['create', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', out, '1M']);
    return out;
  }

  /** qcow2 with an external data-file (CVE-2024-32498); qemu-img makes it beside the image. */
  async dataFile(): Promise<string> {
    const out = this.file('data-file.qcow2');
    await tool('qemu-img', ['create', '-f', 'qcow2', '-o', `data_file=${this.file('data-file.img')}`, out, '1M']);
    return out;
  }

  /**
   * A VMDK descriptor whose extent is another file: /etc/passwd (CVE-2022-47951), or a bare name,
   * which qemu-img looks up beside the image, in staging.
   */
  flatExtent(createType = 'monolithicFlat', extent = '/etc/passwd'): string {
    const out = this.file(`${createType}-${path.basename(extent)}.vmdk`);
    writeFileSync(
      out,
      [
        '# Disk DescriptorFile',
        'version=1',
        'CID=fffffffe',
        'parentCID=ffffffff',
        `createType="${createType}"`,
        '',
        '# Extent description',
        `RW 2048 FLAT "${extent}" 0`,
        '',
        '# The Disk Data Base',
        '#DDB',
        'ddb.virtualHWVersion = "4"',
        '',
      ].join('\n'),
    );
    return out;
  }

  /** The first `bytes` of `file`. */
  truncated(file: string, bytes: number): string {
    const out = `${file}.first${bytes}`;
    writeFileSync(out, readFileSync(file).subarray(0, bytes));
    return out;
  }

  /** A zip whose one member escapes the extraction directory: `zip` writes a placeholder name, replaced in place. */
  async zipSlip(): Promise<string> {
    const evil = '../../../../etc/cron.d/glance';
    const placeholder = 'x'.repeat(evil.length);
    const member = this.file(placeholder);
    copyFileSync(this.sources.qcow2.file, member);
    const out = this.file('zip-slip.zip');
    await tool('zip', ['-q', '-j', out, member]);
    const zip = readFileSync(out);
    // The name is in the local header and in the central directory; no checksum covers it.
    for (let at = zip.indexOf(placeholder); at >= 0; at = zip.indexOf(placeholder, at)) zip.write(evil, at);
    writeFileSync(out, zip);
    return out;
  }

  /** A zip with the image and a second file. */
  async multiMember(): Promise<string> {
    const note = this.file('README.txt');
    writeFileSync(note, 'not an image\n');
    const out = this.file('multi.zip');
    await tool('zip', ['-q', '-j', out, this.sources.qcow2.file, note]);
    return out;
  }

  /** `mib` MiB of zeros, compressed: over a thousand times smaller than what it expands to. */
  async bomb(how: Compression, mib = 64): Promise<string> {
    const zeros = this.file(`zeros-${mib}M.img`);
    writeFileSync(zeros, '');
    truncateSync(zeros, mib << 20);
    return this.compress(zeros, how);
  }
}

async function measure(file: string, format: SourceFormat): Promise<SourceImage> {
  const info = JSON.parse((await tool('qemu-img', ['info', '-f', DRIVERS[format], '--output=json', file])).toString()) as { 'virtual-size': number };
  const raw = `${file}.expected.raw`;
  await tool('qemu-img', ['convert', '-f', DRIVERS[format], '-O', 'raw', file, raw]);
  return { file, format, virtualSize: info['virtual-size'], raw: digest(raw) };
}
