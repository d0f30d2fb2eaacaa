import type { Api } from './client';

export interface ImageSchemaEnums {
  disk_format: string[];
  container_format: string[];
  status: string[];
  visibility: string[];
}

type Schema = { properties?: Record<string, { enum?: Array<string | null> }> };

let cached: Promise<ImageSchemaEnums> | undefined;

/** The choices the image schema allows (the site's disk and container formats among them). */
export function imageEnums(api: Api): Promise<ImageSchemaEnums> {
  cached ??= api
    .get<Schema>('/v2/schemas/image')
    .then((s) => {
      const e = (k: string) => (s.properties?.[k]?.enum ?? []).filter((v): v is string => typeof v === 'string');
      return { disk_format: e('disk_format'), container_format: e('container_format'), status: e('status'), visibility: e('visibility') };
    })
    .catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
  return cached;
}
