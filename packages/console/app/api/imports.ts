import { ApiError, type Api } from './client';

export interface StoreInfo {
  id: string;
  description?: string;
  default?: string;
  'read-only'?: string;
  type?: string;
  weight?: number;
}

/** The import methods this site enables (`GET /v2/info/import`); none when import is off. */
export async function importMethods(api: Api): Promise<string[]> {
  try {
    const r = await api.get<{ 'import-methods': { value: string[] } }>('/v2/info/import');
    return r['import-methods'].value;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}

/** The stores (`GET /v2/info/stores`), or undefined where the site has one store (no multi-store). */
export async function storeList(api: Api, signal?: AbortSignal): Promise<StoreInfo[] | undefined> {
  try {
    return (await api.get<{ stores: StoreInfo[] }>('/v2/info/stores', signal)).stores;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

export interface ImportRequest {
  method: { name: string; uri?: string; glance_image_id?: string; glance_region?: string; glance_service_interface?: string };
  stores?: string[];
  all_stores?: boolean;
  all_stores_must_succeed?: boolean;
}

/** `POST /v2/images/{id}/import` (202: the import runs; follow it with the image's tasks). */
export function startImport(api: Api, imageId: string, body: ImportRequest): Promise<void> {
  return api.request<void>('POST', `/v2/images/${imageId}/import`, { body });
}
