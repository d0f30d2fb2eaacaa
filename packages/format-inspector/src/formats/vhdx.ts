import { guidBytes, hasBytes, u16le, u32le, u64le } from '../bytes.js';
import { malformed, sizeField, truncated, type Finding, type Probe, type ProbeSpec } from '../probe.js';

/*
 * Microsoft VHDX (little-endian), three hops: identity `vhdxfile` @0; region table @192 KiB
 * (`regi`, entry count @8, 32-byte entries from @16: GUID, file offset u64, length u32) names the
 * metadata region; its table (`metadata`, count u16 @10, 32-byte entries from @32: GUID, offset
 * u32, length u32) names the "virtual disk size" item, a u64. Every hop is bounded: tables are
 * read at their maximum size (64 KiB), counts above 2047 and offsets that point backwards or into
 * the header area are refused, so a lying table cannot make us capture or wait for much.
 */
const REGION_TABLE = 192 * 1024;
const TABLE_SIZE = 64 * 1024;
const MAX_ENTRIES = 2047;
const MiB = 1024 * 1024;
const METADATA_REGION = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E');
const VIRTUAL_DISK_SIZE = guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8');

interface Table {
  name: string;
  signature: string;
  count: (t: Buffer) => number;
  first: number;
  guid: Buffer;
  wanted: string;
}

const REGIONS: Table = { name: 'region table', signature: 'regi', count: (t) => u32le(t, 8), first: 16, guid: METADATA_REGION, wanted: 'metadata region' };
const METADATA: Table = {
  name: 'metadata table',
  signature: 'metadata',
  count: (t) => u16le(t, 10),
  first: 32,
  guid: VIRTUAL_DISK_SIZE,
  wanted: 'virtual disk size',
};

/** The 32-byte entry of `spec.guid` in a captured table, or a Finding saying how the table lies. */
function lookup(table: Buffer, spec: Table): Buffer | Finding {
  if (table.length < TABLE_SIZE) return truncated('vhdx', table.length, TABLE_SIZE, spec.name);
  if (!hasBytes(table, 0, spec.signature)) return malformed('vhdx', `${spec.name} has no signature`);
  const count = spec.count(table);
  if (count > MAX_ENTRIES) return malformed('vhdx', `${spec.name} claims ${count} entries (at most ${MAX_ENTRIES})`);
  for (let i = 0; i < count; i++) {
    const e = table.subarray(spec.first + i * 32, spec.first + i * 32 + 32);
    if (hasBytes(e, 0, spec.guid)) return e;
  }
  return malformed('vhdx', `${spec.name} has no ${spec.wanted}`);
}

function* run(): Probe {
  const [ident = Buffer.alloc(0)] = yield [{ at: 0, length: 8 }];
  if (!hasBytes(ident, 0, 'vhdxfile')) return null;

  const [regions = Buffer.alloc(0)] = yield [{ at: REGION_TABLE, length: TABLE_SIZE }];
  const meta = lookup(regions, REGIONS);
  if (!Buffer.isBuffer(meta)) return meta;
  const metaAt = u64le(meta, 16);
  // The first MiB is the header area (MS-VHDX); qemu refuses regions inside it.
  if (metaAt < MiB || metaAt % BigInt(MiB) !== 0n || metaAt > BigInt(Number.MAX_SAFE_INTEGER)) {
    return malformed('vhdx', `metadata region offset ${metaAt} is not a MiB-aligned offset past the header area`);
  }
  const metaOffset = Number(metaAt);

  const [table = Buffer.alloc(0)] = yield [{ at: metaOffset, length: TABLE_SIZE }];
  const vds = lookup(table, METADATA);
  if (!Buffer.isBuffer(vds)) return vds;
  const itemOffset = u32le(vds, 16);
  const itemLength = u32le(vds, 20);
  // Items follow the 64 KiB table (MS-VHDX); the size item is exactly one u64.
  if (itemOffset < TABLE_SIZE || itemLength !== 8)
    return malformed('vhdx', `virtual disk size item (offset ${itemOffset}, length ${itemLength}) is not a u64 after the metadata table`);

  const [item = Buffer.alloc(0)] = yield [{ at: metaOffset + itemOffset, length: 8 }];
  if (item.length < 8) return truncated('vhdx', item.length, 8, 'virtual disk size item');
  const size = sizeField('vhdx', u64le(item, 0));
  return { format: 'vhdx', virtualSize: size.virtualSize, checks: [size.check] };
}

export const vhdx: ProbeSpec = { name: 'vhdx', run };
