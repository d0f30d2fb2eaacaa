import { Transform, type Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { isGlanceImportError } from '@glance-import/core';
import { giError } from './errors.js';

export interface ZipMember {
  /** The member's bytes as stored (compressed), for progress. */
  raw: Readable;
  compressedSize: number;
  /** What the central directory claims; checked against the output. */
  declaredSize: number;
  /** Inflate (if deflated) and the size and CRC-32 check. */
  stages: Transform[];
  close(): void;
}

const METHODS: Record<number, string> = { 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz', 99: 'AES encryption' };
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const corrupt = (reason: string) => giError('GI_DECOMPRESS_CORRUPT', { format: 'zip', reason });

const firstEntry = (zip: ZipFile) =>
  new Promise<Entry>((resolve, reject) => {
    zip.once('entry', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });

const rawStream = (zip: ZipFile, entry: Entry) =>
  new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, { decodeFileData: false }, (err, stream) => (err ? reject(err) : resolve(stream)));
  });

/** yauzl checks no CRC, and with raw reads no size either: both are checked here as bytes pass. */
function verify(entry: Entry): Transform {
  let size = 0;
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > entry.uncompressedSize) return done(corrupt(`the member inflates to more than the ${entry.uncompressedSize} bytes its header declares`));
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (size !== entry.uncompressedSize) return done(corrupt(`the member holds ${size} bytes, its header declares ${entry.uncompressedSize}`));
      if (crc !== entry.crc32) return done(corrupt('the member fails its CRC-32 check'));
      done();
    },
  });
}

/** Refuse anything but one plain file, stored or deflated; Glance only counts members. */
function refuseOddities(entry: Entry): void {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const unsafe = yauzl.validateFileName(name);
  if (unsafe) throw giError('GI_DECOMPRESS_ZIP_UNSAFE_NAME', { name, reason: unsafe.slice(0, unsafe.indexOf(':')) });
  const refuse = (reason: string) => giError('GI_DECOMPRESS_ZIP_UNSUPPORTED', { name, reason });
  if (name.endsWith('/')) throw refuse('it is a directory, not a file');
  if (entry.isEncrypted()) throw refuse('it is encrypted');
  // Unix "version made by" (3) keeps the mode in the high half of the external attributes.
  if (entry.versionMadeBy >> 8 === 3 && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw refuse('it is a symbolic link');
  const method = entry.compressionMethod;
  if (method !== 0 && method !== 8)
    throw refuse(`compression method ${method}${METHODS[method] ? ` (${METHODS[method]})` : ''} is not supported; only stored and deflate are`);
}

/** Open the one member of a zip archive for streaming; any other shape of archive is refused. */
export async function openZipMember(file: string): Promise<ZipMember> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false, strictFileNames: true });
  } catch (e) {
    throw corrupt((e as Error).message);
  }
  try {
    if (zip.entryCount !== 1) throw giError('GI_DECOMPRESS_ZIP_MEMBERS', { count: zip.entryCount });
    const entry = await firstEntry(zip);
    refuseOddities(entry);
    const raw = await rawStream(zip, entry);
    return {
      raw,
      compressedSize: entry.compressedSize,
      declaredSize: entry.uncompressedSize,
      stages: [...(entry.compressionMethod === 8 ? [createInflateRaw({ chunkSize: 1 << 20 })] : []), verify(entry)],
      close: () => zip.close(),
    };
  } catch (e) {
    zip.close();
    throw isGlanceImportError(e) ? e : corrupt((e as Error).message);
  }
}
