import { ApiError, ConnectionLost, type Api } from './client';

export interface Transfer {
  loaded: number;
  total: number | undefined;
}

/**
 * Stage a file (`PUT /v2/images/{id}/stage`) with its upload progress: fetch cannot report the
 * bytes sent, XMLHttpRequest can. The token goes in a header, as for every call.
 */
export function stageFile(api: Api, imageId: string, file: Blob, onProgress: (t: Transfer) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/v2/images/${encodeURIComponent(imageId)}/stage`);
    for (const [k, v] of Object.entries(api.headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      if ([502, 503, 504].includes(xhr.status)) {
        api.connection.lost();
        return reject(new ConnectionLost());
      }
      let err = new ApiError(xhr.status, `${xhr.status} ${xhr.statusText}`);
      try {
        const j = JSON.parse(xhr.responseText) as { message?: string; error_code?: string; hint?: string };
        err = new ApiError(xhr.status, j.message ?? err.message, j.error_code, j.hint);
      } catch {
        /* not our JSON error body */
      }
      reject(err);
    };
    xhr.onerror = () => {
      api.connection.lost();
      reject(new ConnectionLost());
    };
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/**
 * Download an image's data (`GET /v2/images/{id}/file`) with its progress, then hand it to the
 * browser as a file. The token must stay out of the URL, so the data comes through fetch.
 */
export async function downloadImage(api: Api, imageId: string, fileName: string, onProgress: (t: Transfer) => void): Promise<void> {
  const res = await api.raw('GET', `/v2/images/${encodeURIComponent(imageId)}/file`);
  if (res.status === 204) throw new ApiError(204, 'The image has no data to download.');
  const total = Number(res.headers.get('Content-Length') ?? '') || undefined;
  const parts: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
