// Types for the parts of untyped dependencies this package uses (versions pinned in package.json).

declare module 'unbzip2-stream/lib/bzip2.js' {
  type Bits = ((n: number | null) => number) & { bytesRead: number };
  const bzip2: {
    /** Reads "BZh<level>"; returns the block size in 100 kB units. */
    header(bits: Bits): number;
    /** Decodes one block into `write`; returns the running stream CRC, or null at the end-of-stream marker. */
    decompress(bits: Bits, write: (byte: number) => void, work: Int32Array, size: number, streamCRC: number | null): number | null;
  };
  export default bzip2;
}

declare module 'unbzip2-stream/lib/bit_iterator.js' {
  export default function bitIterator(next: () => Uint8Array | undefined): ((n: number | null) => number) & { bytesRead: number };
}

declare module 'yauzl' {
  import type { Readable } from 'node:stream';
  export interface ExtraField {
    id: number;
    data: Buffer;
  }
  export interface Entry {
    fileName: Buffer;
    fileNameRaw: Buffer;
    extraFields: ExtraField[];
    generalPurposeBitFlag: number;
    compressionMethod: number;
    versionMadeBy: number;
    externalFileAttributes: number;
    crc32: number;
    compressedSize: number;
    uncompressedSize: number;
    isEncrypted(): boolean;
  }
  export interface ZipFile {
    entryCount: number;
    readEntry(): void;
    openReadStream(entry: Entry, options: { decodeFileData: false }, cb: (err: Error | null, stream: Readable) => void): void;
    close(): void;
    on(event: 'entry', listener: (entry: Entry) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'end', listener: () => void): this;
    once(event: 'entry', listener: (entry: Entry) => void): this;
    once(event: 'error', listener: (err: Error) => void): this;
    once(event: 'end', listener: () => void): this;
  }
  export interface Options {
    lazyEntries?: boolean;
    autoClose?: boolean;
    decodeStrings?: boolean;
    validateEntrySizes?: boolean;
    strictFileNames?: boolean;
  }
  export function openPromise(path: string, options?: Options): Promise<ZipFile>;
  export function getFileNameLowLevel(generalPurposeBitFlag: number, fileNameBuffer: Buffer, extraFields: ExtraField[], strictFileNames: boolean): string;
  export function validateFileName(fileName: string): string | null;
}
