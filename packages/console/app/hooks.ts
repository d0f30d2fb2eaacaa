import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api/client';

export interface SessionInfo {
  api: Api;
  /** The admin-only endpoints answered (the plugins view), so the admin views are shown. */
  isAdmin: boolean;
}

export const Session = createContext<SessionInfo | undefined>(undefined);

export function useSession(): SessionInfo {
  const s = useContext(Session);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

/** Re-render when the connection state changes; returns the reconnect epoch (reload on change). */
export function useConnectionEpoch(api: Api): number {
  const [, tick] = useState(0);
  useEffect(() => api.connection.subscribe(() => tick((n) => n + 1)), [api]);
  return api.connection.epoch;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** How long to wait before loading again, given what was loaded (undefined: don't). */
export type Poll<T> = (data: T | undefined) => number | undefined;

/**
 * Load something from the API; again when `deps` change, when the server is back after a restart,
 * and as long as `poll` asks for it (each poll starts after the previous one answered).
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], poll?: Poll<T>): Loaded<T> {
  const { api } = useSession();
  const epoch = useConnectionEpoch(api);
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const pollRef = useRef(poll);
  pollRef.current = poll;
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    const run = async () => {
      try {
        last = await loadRef.current(abort.signal);
        if (!abort.signal.aborted) setState({ data: last, error: undefined, loading: false });
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      }
      const wait = pollRef.current?.(last);
      if (wait !== undefined && !abort.signal.aborted) timer = setTimeout(run, wait);
    };
    setState((s) => ({ ...s, loading: true }));
    void run();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [...deps, epoch, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
