import { giError } from '../errors.js';
import type { HopOptions, HopResponse } from './hop.js';
import { pinnedGet } from './pinned-get.js';
import { redactUri, type FilterVerdict } from './uri-filter.js';

export interface SourceOptions extends HopOptions {
  /** The URI filter; run on the URL and again on every redirect target. */
  filter(uri: string): Promise<FilterVerdict>;
  maxRedirects: number;
}

export interface WebSource extends HopResponse {
  /** The URL the body came from, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Open `uri` for reading, following redirects by hand (at most `maxRedirects`) so each target is
 * filtered, resolved and pinned before anything connects to it. Only a 2xx answer is a source.
 */
export async function openWebSource(uri: string, o: SourceOptions): Promise<WebSource> {
  const failed = (reason: string) => giError('GI_METHOD_DOWNLOAD_FAILED', { uri: redactUri(uri), reason });
  let current = uri;
  for (let hop = 0; ; hop++) {
    const verdict = await o.filter(current);
    if (!verdict.ok) {
      // Checked at the API call already; failing here means DNS changed in between.
      if (hop === 0) throw failed(`the URI no longer passes filtering: ${verdict.reason}`);
      throw giError('GI_METHOD_REDIRECT_REFUSED', { uri: redactUri(current), reason: verdict.reason });
    }
    const res = await pinnedGet(verdict.url, verdict.host, verdict.pinned, o);
    const location = res.headers.location;
    if (REDIRECTS.has(res.status) && location) {
      res.discard();
      if (hop >= o.maxRedirects) throw failed(`it redirected more than max_redirects (${o.maxRedirects}) times`);
      try {
        current = new URL(location, verdict.url).href;
      } catch {
        throw failed(`it redirected to '${location}', which is not a URL`);
      }
      continue;
    }
    if (res.status < 200 || res.status > 299) {
      res.discard();
      throw failed(`the source answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    return { ...res, url: current };
  }
}
