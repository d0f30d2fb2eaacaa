import { describe, expect, it } from 'vitest';
import { parseStoreOptions } from '@glance-import/store';
import { s3Options } from './options.js';
import { s3Settings } from './settings.js';

const settings = (o: Record<string, unknown>) =>
  s3Settings('s3objects', parseStoreOptions('s3objects', s3Options, { s3_store_access_key: 'a', s3_store_secret_key: 's', s3_store_bucket: 'images', ...o }));

describe('s3 settings (glance_store configure_add)', () => {
  it('take a bare host as http, and keep the scheme of an https URL in locations (s3+https)', () => {
    expect(settings({ s3_store_host: '127.0.0.1:8080' })).toMatchObject({ endpoint: 'http://127.0.0.1:8080', locationPrefix: 's3://127.0.0.1:8080' });
    expect(settings({ s3_store_host: 'https://objects.example.com/' })).toMatchObject({
      endpoint: 'https://objects.example.com',
      locationPrefix: 's3+https://objects.example.com',
    });
  });

  it('take the region from s3_store_region_name, else from an Amazon host name (get_s3_location), else us-east-1', () => {
    expect(settings({ s3_store_host: 's3.example.com', s3_store_region_name: 'eu-central-1' }).region).toBe('eu-central-1');
    expect(settings({ s3_store_host: 'https://s3-ap-northeast-2.amazonaws.com' }).region).toBe('ap-northeast-2');
    expect(settings({ s3_store_host: 's3.example.com' }).region).toBe('us-east-1');
  });

  it('sizes are MiB; checksums only when required unless s3_store_enable_data_integrity_protection', () => {
    expect(settings({ s3_store_host: 'h' })).toMatchObject({
      largeObjectSize: 100 * 1024 * 1024,
      partSize: 10 * 1024 * 1024,
      threadPools: 10,
      forcePathStyle: false,
      checksums: { request: 'WHEN_REQUIRED', response: 'WHEN_REQUIRED' },
    });
    expect(settings({ s3_store_host: 'h', s3_store_request_checksum_calculation: 'when_supported' }).checksums.request).toBe('WHEN_REQUIRED');
    expect(
      settings({ s3_store_host: 'h', s3_store_enable_data_integrity_protection: true, s3_store_request_checksum_calculation: 'when_supported' }).checksums,
    ).toEqual({ request: 'WHEN_SUPPORTED', response: 'WHEN_REQUIRED' });
    expect(settings({ s3_store_host: 'h', s3_store_bucket_url_format: 'path' }).forcePathStyle).toBe(true);
  });
});
